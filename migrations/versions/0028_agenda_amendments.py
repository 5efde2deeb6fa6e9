"""meetings: an agenda one can correct (removed items kept, amendments logged); record symbol

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 10:40:00.000000

An agenda item may be removed and restored (it is kept, with its documents, and marked
removed); every change to an adopted agenda is logged with who and when. A meeting carries
the document symbol its record is issued under.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'symbol', sa.String(length=120), nullable=False, server_default=''))

    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_agenda_item_removed_by_id_user'), 'user', ['removed_by_id'], ['id'],
            ondelete='SET NULL')

    op.create_table('agenda_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_amendment_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_agenda_amendment_item_id_agenda_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_agenda_amendment_actor_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_amendment'))
    )
    with op.batch_alter_table('agenda_amendment', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_agenda_amendment_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agenda_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_amendment_meeting_id'))
    op.drop_table('agenda_amendment')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_agenda_item_removed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('symbol')
