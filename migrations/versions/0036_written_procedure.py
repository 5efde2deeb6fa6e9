"""procedures: a draft decision circulated in writing, the delegations' responses, each step

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 17:00:00.000000

Written procedure (silence or explicit approval): one response per delegation, amendable until
the deadline, every step kept; the outcome written down once at the deadline.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

ANSWERS = ('no_objection', 'objection', 'comment')


def _answer(name, nullable=False, enum_name='procedure_answer'):
    # The CHECK constraint is named after the enum, and a table's constraint names must differ
    # on PostgreSQL: the previous answer's enum has a name of its own.
    return sa.Column(name, sa.Enum(*ANSWERS, name=enum_name, native_enum=False,
                                   create_constraint=True, length=32), nullable=nullable)


def upgrade():
    op.create_table(
        'written_procedure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('paper_id', sa.Integer(), nullable=True),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_html', sa.Text(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('note_html', sa.Text(), nullable=True),
        sa.Column('mode', sa.Enum('silence', 'approval', name='procedure_mode',
                                  native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('quorum', sa.Integer(), nullable=True),
        sa.Column('addressed_count', sa.Integer(), nullable=False),
        sa.Column('circulated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('circulated_by_id', sa.Integer(), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('first_closes_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('extended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('extended_by_id', sa.Integer(), nullable=True),
        sa.Column('extension_reason', sa.String(length=1000), nullable=False),
        sa.Column('outcome', sa.Enum('adopted', 'not_adopted', 'withdrawn',
                                     name='procedure_outcome', native_enum=False,
                                     create_constraint=True, length=32), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawal_reason', sa.String(length=1000), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['circulated_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['extended_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_written_procedure_room_id', 'written_procedure', ['room_id'])
    op.create_table(
        'procedure_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procedure_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        _answer('answer'),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('reason_html', sa.Text(), nullable=True),
        sa.Column('responded_by_id', sa.Integer(), nullable=False),
        sa.Column('responded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['procedure_id'], ['written_procedure.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['responded_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('procedure_id', 'delegation_id',
                            name='one_response_per_delegation_wp'),
    )
    op.create_index('ix_procedure_response_procedure_id', 'procedure_response', ['procedure_id'])
    op.create_table(
        'procedure_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        _answer('answer'),
        sa.Column('reason', sa.Text(), nullable=False),
        _answer('previous_answer', nullable=True, enum_name='procedure_previous_answer'),
        sa.Column('previous_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['procedure_response.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_procedure_change_response_id', 'procedure_change', ['response_id'])


def downgrade():
    op.drop_index('ix_procedure_change_response_id', table_name='procedure_change')
    op.drop_table('procedure_change')
    op.drop_index('ix_procedure_response_procedure_id', table_name='procedure_response')
    op.drop_table('procedure_response')
    op.drop_index('ix_written_procedure_room_id', table_name='written_procedure')
    op.drop_table('written_procedure')
