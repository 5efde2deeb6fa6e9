"""papers: authors of earlier comments may reply on their own threads (a per-paper setting)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 16:30:00.000000

Whoever wrote in a thread may reply in it while the paper is open, even once they no longer
take part in the room; the chair can switch this off per paper. Existing papers have it on.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'authors_may_reply', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_column('authors_may_reply')
