"""papers: language versions of a revision, and the language each comment was written in

Revision ID: 0043
Revises: 0044
Create Date: 2026-12-04 01:45:00.000000

A chair adds the French or Spanish version of a revision; its paragraphs align one to one
with the revision's (same keys, numbers and kinds), so comments show beside the same
paragraph in every language. A comment records the language of the text it was written on;
the comments that exist were written on the original, so they take the paper's original
language.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0043'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_paper_version_paper_id_paper'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_paper_version_revision_id_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_paper_version_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_version')),
    sa.UniqueConstraint('revision_id', 'language', name='one_version_per_language')
    )
    with op.batch_alter_table('paper_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_version_paper_id'), ['paper_id'], unique=False)

    op.create_table('version_paragraph',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('is_heading', sa.Boolean(), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_html', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['paper_version.id'], name=op.f('fk_version_paragraph_version_id_paper_version'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['paragraph.id'], name=op.f('fk_version_paragraph_paragraph_id_paragraph'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_paragraph')),
    sa.UniqueConstraint('version_id', 'position', name='one_position_per_version')
    )
    with op.batch_alter_table('version_paragraph', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_paragraph_version_id'), ['version_id'], unique=False)

    # Added in place (no copy of the table, however many comments it holds), then every
    # comment so far takes its paper's original language: it was written on the original.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=8), nullable=False, server_default='en'))
    op.execute(
        "UPDATE comment SET language = "
        "(SELECT paper.original_language FROM paper WHERE paper.id = comment.paper_id) "
        "WHERE EXISTS (SELECT 1 FROM paper WHERE paper.id = comment.paper_id)"
    )


def downgrade():
    # In place (SQLite 3.35+): a copy of the table would cascade-delete what refers to comments.
    with op.batch_alter_table('comment', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('version_paragraph', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_paragraph_version_id'))
    op.drop_table('version_paragraph')
    with op.batch_alter_table('paper_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_version_paper_id'))
    op.drop_table('paper_version')
