"""delegation drafts and their history; who opened a room (chairs' small groups)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'delegation_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('target_key', sa.String(length=64), nullable=True),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('posted_by_id', sa.Integer(), nullable=True),
        sa.Column('posted_url', sa.String(length=300), nullable=True),
        sa.Column('discarded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('discarded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], ondelete='CASCADE',
                                name=op.f('fk_delegation_draft_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], ondelete='CASCADE',
                                name=op.f('fk_delegation_draft_room_id_room')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_delegation_draft_created_by_id_user')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'],
                                name=op.f('fk_delegation_draft_updated_by_id_user')),
        sa.ForeignKeyConstraint(['posted_by_id'], ['user.id'],
                                name=op.f('fk_delegation_draft_posted_by_id_user')),
        sa.ForeignKeyConstraint(['discarded_by_id'], ['user.id'],
                                name=op.f('fk_delegation_draft_discarded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation_draft')),
    )
    with op.batch_alter_table('delegation_draft', schema=None) as batch_op:
        batch_op.create_index('ix_delegation_draft_open', ['delegation_id', 'posted_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_draft_room_id'), ['room_id'],
                              unique=False)

    op.create_table(
        'delegation_draft_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['delegation_draft.id'], ondelete='CASCADE',
                                name=op.f('fk_delegation_draft_change_draft_id_delegation_draft')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_delegation_draft_change_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation_draft_change')),
    )
    with op.batch_alter_table('delegation_draft_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_draft_change_draft_id'), ['draft_id'],
                              unique=False)

    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_room_created_by_id_user'), 'user',
                                    ['created_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_room_created_by_id_user'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
    with op.batch_alter_table('delegation_draft_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_draft_change_draft_id'))
    op.drop_table('delegation_draft_change')
    with op.batch_alter_table('delegation_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_draft_room_id'))
        batch_op.drop_index('ix_delegation_draft_open')
    op.drop_table('delegation_draft')
