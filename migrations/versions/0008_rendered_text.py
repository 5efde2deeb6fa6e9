"""user text rendered once, when written

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:45:00.000000

Each Markdown column gets a *_html column next to it, filled here for the rows that exist
(confidential ones encrypted like their source). Text stored before the rendering bounds that
they would now refuse is kept as plain text (render_or_plain), so the upgrade never fails.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: (table, source column, html column, encrypted)
COLUMNS = [
    ("room", "description", "description_html", False),
    ("agenda_item", "annotation", "annotation_html", False),
    ("paragraph", "text", "text_html", False),
    ("comment", "body", "body_html", False),
    ("comment", "proposed_text", "proposed_text_html", False),
    ("comment_edit", "body", "body_html", False),
    ("published_brief", "body", "body_html", False),
    ("post", "body", "body_html", True),
    ("trend_brief", "body", "body_html", True),
    ("brief_objection", "reason", "reason_html", True),
]


def upgrade():
    for table, _source, html, encrypted in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            kind = sa.LargeBinary() if encrypted else sa.Text()
            batch_op.add_column(sa.Column(html, kind, nullable=True))

    from consult.markdown import render_or_plain
    from consult.papers.blocks import paragraph_markdown

    bind = op.get_bind()
    for table, source, html, encrypted in COLUMNS:
        extra = ", is_heading" if table == "paragraph" else ""
        rows = bind.execute(
            sa.text(f"SELECT id, {source}{extra} FROM {table} WHERE {source} IS NOT NULL")
        ).all()
        if not rows:
            continue
        if encrypted:
            from consult.crypto import decrypt, encrypt
        update = sa.text(f"UPDATE {table} SET {html} = :html WHERE id = :id")
        for row in rows:
            text = decrypt(bytes(row[1])).decode() if encrypted else row[1]
            if table == "paragraph":
                text = paragraph_markdown(text, is_heading=bool(row[2]))
            out = str(render_or_plain(text))
            value = encrypt(out.encode()) if encrypted else out
            bind.execute(update, {"html": value, "id": row[0]})


def downgrade():
    for table, _source, html, _encrypted in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(html)
