"""meetings: the programme of work (sessions by day), calendar sequence, installation id

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 10:45:00.000000

A meeting of several days has sessions (a day, a start and an end, a room or a link, the body
that meets); each agenda item may be placed in one. The calendar's SEQUENCE is kept apart from
the live version (it grows only when the schedule or the place changes), and the installation
keeps a generated id that makes its calendar UIDs its own.
"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=60), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('video_link', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_session_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_session'))
    )
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_session_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'schedule_sequence', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_agenda_item_session_id_meeting_session'), 'meeting_session',
            ['session_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_agenda_item_session_id'), ['session_id'], unique=False)

    setting = op.create_table('installation_setting',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_installation_setting'))
    )
    # The installation's calendar id, generated once here (CONSULT_INSTANCE_ID overrides it).
    op.bulk_insert(setting, [{'name': 'instance_id', 'value': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('installation_setting')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_session_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_agenda_item_session_id_meeting_session'), type_='foreignkey')
        batch_op.drop_column('session_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('schedule_sequence')
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_session_meeting_id'))
    op.drop_table('meeting_session')
