"""search: one index of what can be searched, full-text on FTS5 (SQLite) or tsvector (PostgreSQL)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 18:00:00.000000

`search_document` holds one row per searchable thing (consult/search/models.py). On SQLite,
`search_fts` is an FTS5 table over its `terms` (external content, kept in step by triggers
in the same transaction); on PostgreSQL a generated `tsvector` column with a GIN index. The
terms are already stemmed per language in Python, so both read them as plain words. The rows
are written by the application: run `consult reindex` once after upgrading.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('page_id', sa.Integer(), nullable=False),
        sa.Column('anchor', sa.String(length=40), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=True),
        sa.Column('tag_type', sa.String(length=40), nullable=True),
        sa.Column('tag_id', sa.Integer(), nullable=True),
        sa.Column('dated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('is_sealed', sa.Boolean(), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'],
                                name=op.f('fk_search_document_room_id_room'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_object', ['kind', 'object_id'], unique=True)
        batch_op.create_index('ix_search_document_subject', ['subject_type', 'subject_id'])
        batch_op.create_index(batch_op.f('ix_search_document_room_id'), ['room_id'])
        batch_op.create_index(batch_op.f('ix_search_document_delegation_id'), ['delegation_id'])
        batch_op.create_index(batch_op.f('ix_search_document_dated_at'), ['dated_at'])

    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_document', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
            "END"
        )
        op.execute(
            "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
            "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END"
        )
    elif op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "ALTER TABLE search_document ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED"
        )
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('search_document_ai', 'search_document_ad', 'search_document_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_document')
