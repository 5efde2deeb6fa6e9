"""national contributions: the submitting delegation, its status, Treaty articles, co-sponsors

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by_delegation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            'contribution_status',
            sa.Enum('submitted', 'accepted', 'returned', 'withdrawn',
                    name='contribution_status', native_enum=False, create_constraint=True,
                    length=32),
            nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_reason', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_paper_submitted_by_delegation_id'),
                              ['submitted_by_delegation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_paper_submitted_by_delegation_id_delegation'),
                                    'delegation', ['submitted_by_delegation_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_paper_decided_by_id_user'),
                                    'user', ['decided_by_id'], ['id'])

    op.create_table(
        'paper_article',
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('article', sa.Integer(), nullable=False),
        sa.CheckConstraint('article BETWEEN 1 AND 28',
                           name=op.f('ck_paper_article_treaty_article')),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='CASCADE',
                                name=op.f('fk_paper_article_paper_id_paper')),
        sa.PrimaryKeyConstraint('paper_id', 'article', name=op.f('pk_paper_article')),
    )
    op.create_table(
        'paper_cosponsor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='CASCADE',
                                name=op.f('fk_paper_cosponsor_paper_id_paper')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_paper_cosponsor_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_paper_cosponsor_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_cosponsor')),
        sa.UniqueConstraint('paper_id', 'delegation_id', name='one_invitation'),
    )
    with op.batch_alter_table('paper_cosponsor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_cosponsor_delegation_id'), ['delegation_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('paper_cosponsor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_cosponsor_delegation_id'))
    op.drop_table('paper_cosponsor')
    op.drop_table('paper_article')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_paper_decided_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_paper_submitted_by_delegation_id_delegation'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_paper_submitted_by_delegation_id'))
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('returned_reason')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('contribution_status')
        batch_op.drop_column('submitted_by_delegation_id')
