"""meetings: a meeting can be cancelled (kept, marked, its room told)

Revision ID: 0039
Revises: 0036
Create Date: 2026-12-03 17:00:00.000000

A cancelled meeting stays on record (its page, its calendar entry with STATUS:CANCELLED) rather
than being deleted, so the people told of it can still open what they were told of.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
