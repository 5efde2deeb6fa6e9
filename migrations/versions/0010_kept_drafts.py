"""text kept when a session ends mid-typing

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=300), nullable=False),
    sa.Column('page', sa.String(length=300), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kept_draft_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_draft')),
    sa.UniqueConstraint('user_id', 'form_key', name='one_per_form')
    )
    with op.batch_alter_table('kept_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_draft_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_draft_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_draft_expires_at'))

    op.drop_table('kept_draft')
