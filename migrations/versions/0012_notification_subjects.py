"""notifications and activity lines that name their subject

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # What a line speaks of (a paper, a meeting, a thread ...), so it is shown only to those
    # who may see that subject when they read it. Rows without one speak of the room itself.
    for table in ('room_activity', 'notification'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('subject_type', sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f(f'ix_{table}_subject'), ['subject_type', 'subject_id'], unique=False
            )


def downgrade():
    for table in ('notification', 'room_activity'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_subject'))
            batch_op.drop_column('subject_id')
            batch_op.drop_column('subject_type')
