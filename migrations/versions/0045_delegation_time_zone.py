"""accounts: a delegation's time zone, the one its people are invited with

Revision ID: 0045
Revises: 0043
Create Date: 2026-12-04 01:55:00.000000

Every existing delegation gets UTC, the zone its people were invited with until now.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0045'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('time_zone', sa.String(length=64), nullable=False, server_default='UTC')
        )


def downgrade():
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
