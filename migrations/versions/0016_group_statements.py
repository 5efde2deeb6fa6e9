"""group statements: agreement by a group's member delegations and delivery

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'group_statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('drafting', 'consulting', 'final', 'delivered',
                                    name='statement_status', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('consensus_recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('consensus_recorded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('target_paper_id', sa.Integer(), nullable=True),
        sa.Column('agenda_item_id', sa.Integer(), nullable=True),
        sa.Column('delivered_comment_id', sa.Integer(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='CASCADE',
                                name=op.f('fk_group_statement_paper_id_paper')),
        sa.ForeignKeyConstraint(['group_id'], ['delegation_group.id'],
                                name=op.f('fk_group_statement_group_id_delegation_group')),
        sa.ForeignKeyConstraint(['consensus_recorded_by_id'], ['user.id'],
                                name=op.f('fk_group_statement_consensus_recorded_by_id_user')),
        sa.ForeignKeyConstraint(['target_paper_id'], ['paper.id'], ondelete='SET NULL',
                                name=op.f('fk_group_statement_target_paper_id_paper')),
        sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], ondelete='SET NULL',
                                name=op.f('fk_group_statement_agenda_item_id_agenda_item')),
        sa.ForeignKeyConstraint(['delivered_comment_id'], ['comment.id'], ondelete='SET NULL',
                                name=op.f('fk_group_statement_delivered_comment_id_comment')),
        sa.ForeignKeyConstraint(['delivered_by_id'], ['user.id'],
                                name=op.f('fk_group_statement_delivered_by_id_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_group_statement_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_statement')),
        sa.UniqueConstraint('paper_id', name=op.f('uq_group_statement_paper_id')),
    )
    with op.batch_alter_table('group_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_statement_group_id'), ['group_id'],
                              unique=False)
    op.create_table(
        'statement_position',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Enum('agree', 'object', 'withdrawn', name='statement_stance',
                                      native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['group_statement.id'], ondelete='CASCADE',
                                name=op.f('fk_statement_position_statement_id_group_statement')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_statement_position_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_statement_position_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_position')),
    )
    with op.batch_alter_table('statement_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_position_statement_id'),
                              ['statement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('statement_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_position_statement_id'))
    op.drop_table('statement_position')
    with op.batch_alter_table('group_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_statement_group_id'))
    op.drop_table('group_statement')
