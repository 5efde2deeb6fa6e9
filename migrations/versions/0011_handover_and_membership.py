"""handover that leaves nothing behind; membership guardrails

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # A regional group's room takes the States of its group (membership guardrail).
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'regional_group',
                sa.Enum(
                    'african', 'asia_pacific', 'eastern_european', 'grulac', 'weog',
                    name='regional_group', native_enum=False, create_constraint=True, length=32,
                ),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table('room', schema=None) as batch_op:
        # The CHECK constraint names the column: it goes first, or the copy would refer to it.
        batch_op.drop_constraint(op.f('ck_room_regional_group'), type_='check')
        batch_op.drop_column('regional_group')
