"""papers: a proposed text keeps the paragraph text it was written against

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-03 10:40:00.000000

A proposed text is shown as a change of the paragraph as it stood when the proposal was made
(or last edited), named by its revision, not of whatever the paragraph says now.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_on_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_comment_proposed_on_id_paragraph'), 'paragraph', ['proposed_on_id'],
            ['id'])
    # Earlier proposals were written against the paragraph the comment was made on.
    op.execute(
        'UPDATE comment SET proposed_on_id = made_on_id WHERE proposed_text IS NOT NULL'
    )


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_comment_proposed_on_id_paragraph'), type_='foreignkey')
        batch_op.drop_column('proposed_on_id')
