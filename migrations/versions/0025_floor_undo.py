"""the floor never loses a speaker: suspended statements and the console's undo snapshots

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 15:00:00.000000

A statement interrupted by a point of order or a right of reply is 'suspended' (still open:
the one-open-request index counts it); the request that interrupted it is kept for the
record. floor_action keeps each console action with the floor before and after it, so "Undo"
restores it from the database (any worker, after a restart).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OLD = ('waiting', 'speaking', 'done', 'withdrawn')
NEW = ('waiting', 'speaking', 'suspended', 'done', 'withdrawn')
OLD_OPEN = "status IN ('waiting', 'speaking')"
NEW_OPEN = "status IN ('waiting', 'speaking', 'suspended')"


def _statuses(values):
    return 'status IN (' + ', '.join(f"'{v}'" for v in values) + ')'


def upgrade():
    op.create_table(
        'floor_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('summary', sa.String(length=500), nullable=False),
        sa.Column('is_chair', sa.Boolean(), nullable=False),
        sa.Column('before', sa.Text(), nullable=False),
        sa.Column('after', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ondelete='CASCADE',
                                name=op.f('fk_floor_action_actor_id_user')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE',
                                name=op.f('fk_floor_action_meeting_id_meeting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_floor_action')),
    )
    with op.batch_alter_table('floor_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_floor_action_meeting_id'), ['meeting_id'],
                              unique=False)
    with op.batch_alter_table('floor_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interrupted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_floor_request_interrupted_by_id_floor_request'),
                                    'floor_request', ['interrupted_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.drop_constraint(op.f('ck_floor_request_floor_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_floor_request_floor_status'), _statuses(NEW))
        batch_op.drop_index('uq_floor_request_open', sqlite_where=sa.text(OLD_OPEN),
                            postgresql_where=sa.text(OLD_OPEN))
        batch_op.create_index('uq_floor_request_open', ['item_id', 'delegation_id'], unique=True,
                              sqlite_where=sa.text(NEW_OPEN), postgresql_where=sa.text(NEW_OPEN))


def downgrade():
    op.execute("UPDATE floor_request SET status = 'done' WHERE status = 'suspended'")
    with op.batch_alter_table('floor_request', schema=None) as batch_op:
        batch_op.drop_index('uq_floor_request_open', sqlite_where=sa.text(NEW_OPEN),
                            postgresql_where=sa.text(NEW_OPEN))
        batch_op.create_index('uq_floor_request_open', ['item_id', 'delegation_id'], unique=True,
                              sqlite_where=sa.text(OLD_OPEN), postgresql_where=sa.text(OLD_OPEN))
        batch_op.drop_constraint(op.f('ck_floor_request_floor_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_floor_request_floor_status'), _statuses(OLD))
        batch_op.drop_constraint(batch_op.f('fk_floor_request_interrupted_by_id_floor_request'),
                                 type_='foreignkey')
        batch_op.drop_column('interrupted_by_id')
    with op.batch_alter_table('floor_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_floor_action_meeting_id'))
    op.drop_table('floor_action')
