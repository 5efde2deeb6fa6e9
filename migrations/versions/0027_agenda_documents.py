"""meetings: documents of agenda items, and the room's circulation period

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 10:40:00.000000

An agenda item's documents (papers, files, delegations' written statements) replace the bare
link table agenda_item_paper: each carries its circulation date, and a removal is kept so it
can be undone. Papers already linked become documents circulated when the migration runs.
A room gets its circulation period (days before a meeting; later documents are "late").
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.add_column(sa.Column('circulation_days', sa.Integer(), nullable=True))

    op.create_table('agenda_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('paper', 'file', 'written_statement', name='document_kind',
                              native_enum=False, create_constraint=True, length=32),
              nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('delegation_id', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('circulated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_agenda_document_item_id_agenda_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_agenda_document_paper_id_paper'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('fk_agenda_document_delegation_id_delegation')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_agenda_document_added_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_agenda_document_published_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'], name=op.f('fk_agenda_document_removed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_document'))
    )
    with op.batch_alter_table('agenda_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_document_paper_id'), ['paper_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_agenda_document_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(
            'ix_agenda_document_item_removed', ['item_id', 'removed_at'], unique=False)

    # The papers linked so far: documents circulated now (their link had no date).
    op.execute(
        "INSERT INTO agenda_document (item_id, kind, title, paper_id, created_at, circulated_at, "
        "is_published) SELECT l.item_id, 'paper', p.title, l.paper_id, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, true FROM agenda_item_paper l JOIN paper p ON p.id = l.paper_id"
    )
    op.drop_table('agenda_item_paper')


def downgrade():
    op.create_table('agenda_item_paper',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], name=op.f('fk_agenda_item_paper_item_id_agenda_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_agenda_item_paper_paper_id_paper'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'paper_id', name=op.f('pk_agenda_item_paper'))
    )
    op.execute(
        "INSERT INTO agenda_item_paper (item_id, paper_id) SELECT DISTINCT item_id, paper_id "
        "FROM agenda_document WHERE paper_id IS NOT NULL AND removed_at IS NULL"
    )
    with op.batch_alter_table('agenda_document', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_document_item_removed')
        batch_op.drop_index(batch_op.f('ix_agenda_document_delegation_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_document_paper_id'))
    op.drop_table('agenda_document')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_column('circulation_days')
