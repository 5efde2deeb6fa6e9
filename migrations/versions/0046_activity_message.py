"""rooms: an activity line kept as a message and its values, read in each reader's language

Revision ID: 0046
Revises: 0042
Create Date: 2026-12-04 02:00:00.000000

Lines written before stay as their English summary.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0046'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('room_activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('room_activity', schema=None) as batch_op:
        batch_op.drop_column('message')
