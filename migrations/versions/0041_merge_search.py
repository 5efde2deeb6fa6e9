"""merge: search (0037) with the mail outbox and cancelled meetings (0040), made side by side

Revision ID: 0041
Revises: 0037, 0040
Create Date: 2026-12-03 18:00:00.000000
"""


# revision identifiers, used by Alembic.
revision = '0041'
down_revision = ('0037', '0040')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
