"""meetings: interpretation as a list of channels (language, channel number or stream link)

Revision ID: 0044
Revises: 0046
Create Date: 2026-12-04 02:00:00.000000

A meeting's interpretation was one line of free text ("English, French, Spanish"). It is now
a list of channels, one per language: a language code of Babel's locale data, a channel on
the room's receivers and/or an https stream link, a note, in the chair's order.

What becomes of the old text: it is split on commas, semicolons, slashes, "&" and the word
"and"; words in brackets are dropped ("English (floor)" is English); each piece is matched,
case and accents aside, to a language's English name in Babel ("French"), its code ("fr") or
its own name ("Français"). Each language found becomes a channel, in the order written, a
language written twice once. A channel made this way has neither a number nor a link (the old
text had none): the meeting page shows the language with no channel, and the chair's next
save of the meeting asks for one. A piece that matches no language ("International Sign",
"all six", "tbc") is not kept: the old column is dropped, and that text with it. Going back
down writes the channels' English names, joined by commas, into the old column.

On SQLite the column is dropped by ALTER TABLE ... DROP COLUMN (SQLite 3.35 or later) inside
the batch, not by copying the table: a copy drops the old `meeting` table, which, with foreign
keys enforced, would delete every agenda item, request for the floor and attendance with it.
"""
from __future__ import annotations

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044'
down_revision = '0046'
branch_labels = None
depends_on = None


_SEPARATORS = re.compile(r"[,;/&\n]+|\band\b", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", " ".join(text.split())).casefold()
    return "".join(c for c in plain if not unicodedata.combining(c))


def _languages() -> dict[str, str]:
    """Typed text -> code: a language's own name, its code, then its English name (which
    wins where two agree), for the languages Babel has locale data and an English name for
    (the list the meeting form offers)."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    found: dict[str, str] = {}
    english = {}
    for code in sorted(i for i in locale_identifiers() if "_" not in i and i != "root"):
        if name := Locale.parse(code).get_display_name("en"):
            english[code] = name
    for code in english:
        found[_key(Locale.parse(code).get_display_name(code) or code)] = code
    for code in english:
        found[_key(code)] = code
    for code, name in english.items():
        found[_key(name)] = code
    return found


def channels_from_text(text: str, languages: dict[str, str] | None = None) -> list[str]:
    """The language codes an old free-text value names, in its order, each once;
    what matches no language is left out."""
    languages = languages if languages is not None else _languages()
    codes: list[str] = []
    for piece in _SEPARATORS.split(_BRACKETS.sub(" ", text or "")):
        code = languages.get(_key(piece)) if piece.strip() else None
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def upgrade():
    op.create_table('interpretation_channel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_interpretation_channel_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_channel')),
    sa.UniqueConstraint('meeting_id', 'language', name='one_channel_per_language')
    )
    with op.batch_alter_table('interpretation_channel', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_interpretation_channel_meeting_id'), ['meeting_id'], unique=False)

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, interpretation FROM meeting WHERE interpretation <> ''")
    ).all()
    if rows:
        languages = _languages()
        insert = sa.text(
            "INSERT INTO interpretation_channel (meeting_id, position, language, number, link, "
            "note) VALUES (:meeting, :position, :language, NULL, '', '')"
        )
        for meeting_id, text in rows:
            for position, code in enumerate(channels_from_text(text, languages), 1):
                bind.execute(
                    insert, {"meeting": meeting_id, "position": position, "language": code}
                )

    # Never a copy of `meeting` on SQLite (see above): its children would go with it.
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('interpretation')


def downgrade():
    with op.batch_alter_table('meeting', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column(
            'interpretation', sa.String(length=200), nullable=False, server_default=''))

    from babel import Locale

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT meeting_id, language FROM interpretation_channel ORDER BY meeting_id, position"
    )).all()
    names: dict[int, list[str]] = {}
    for meeting_id, code in rows:
        try:
            name = Locale.parse(code).get_display_name("en") or code
        except (ValueError, LookupError):
            name = code
        names.setdefault(meeting_id, []).append(name)
    update = sa.text("UPDATE meeting SET interpretation = :text WHERE id = :id")
    for meeting_id, listed in names.items():
        bind.execute(update, {"text": ", ".join(listed)[:200], "id": meeting_id})

    with op.batch_alter_table('interpretation_channel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpretation_channel_meeting_id'))
    op.drop_table('interpretation_channel')
