"""papers: the revision workflow: a paper's facilitator and the draft revision

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-03 10:45:00.000000

A paper may name the person who carries its revisions (its facilitator: sees it while it is
drafted, writes its draft revision). The next revision is written in a draft kept on the
server (one per paper) until it is issued as an immutable revision.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_paper_facilitator_id_user'), 'user', ['facilitator_id'], ['id'],
            ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_paper_facilitator_id'), ['facilitator_id'],
                              unique=False)

    op.create_table('revision_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_revision_draft_paper_id_paper'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['based_on_id'], ['revision.id'], name=op.f('fk_revision_draft_based_on_id_revision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_revision_draft_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision_draft')),
    sa.UniqueConstraint('paper_id', name=op.f('uq_revision_draft_paper_id'))
    )


def downgrade():
    op.drop_table('revision_draft')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_facilitator_id'))
        batch_op.drop_constraint(batch_op.f('fk_paper_facilitator_id_user'), type_='foreignkey')
        batch_op.drop_column('facilitator_id')
