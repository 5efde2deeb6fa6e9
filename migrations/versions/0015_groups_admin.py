"""a group's coordinator may decline a comment made on the group's behalf

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # A declined comment stays its author's (seen by them and the coordinators only) until
    # they post it as their delegation instead or delete it.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_declined_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('group_decline_reason', sa.String(length=500),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('group_decline_reason')
        batch_op.drop_column('group_declined_at')
