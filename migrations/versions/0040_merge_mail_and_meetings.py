"""merge: the mail outbox (0038) and cancelled meetings (0039), made side by side

Revision ID: 0040
Revises: 0038, 0039
Create Date: 2026-12-03 17:20:00.000000
"""


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = ('0038', '0039')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
