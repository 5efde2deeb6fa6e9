"""The meeting's record: who spoke on which item, in which order, for how long; attendance."""

from __future__ import annotations

import csv
import io

import docx

from consult.meetings import presence, services, visibility
from consult.meetings.models import Meeting


def _named(meeting: Meeting) -> bool:
    """The exports leave the platform (the chair's summary): under the Chatham House Rule they
    name nobody, whoever downloads them."""
    return not meeting.is_chatham_house


def _rule(meeting: Meeting) -> str:
    if meeting.is_chatham_house:
        return "Held under the Chatham House Rule: speakers are recorded by their status."
    return "Held under the meeting's ordinary rules: speakers are named."


def _minutes(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def record_csv(meeting: Meeting) -> str:
    named = _named(meeting)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "item",
            "title",
            "turn",
            "delegation",
            "on_behalf_of",
            "kind",
            "presence",
            "started_at",
            "seconds",
            "ruling",
            "interrupted",
        ]
    )
    for item, turns in services.speaking_record(meeting):
        for t in turns:
            writer.writerow(
                [
                    item.label,
                    _safe(item.title),
                    t.turn,
                    _safe(t.delegation.name if named else visibility.who(t, False)),
                    _safe(t.on_behalf_of if named else ""),
                    t.kind.value,
                    t.presence.value,
                    t.started_at.isoformat() if t.started_at else "",
                    t.spoken_seconds(t.ended_at or t.started_at),
                    _safe(t.ruling or ""),
                    _safe(services.interruption_of(t, turns, named)),
                ]
            )
    writer.writerow([])
    if not named:
        counts = presence.counts(meeting)
        writer.writerow(["status", "delegations_in_room", "delegations_remote", "people"])
        for name, tally in counts.by_status:
            writer.writerow(
                [str(name), tally.delegations_in_room, tally.delegations_remote, tally.people]
            )
        writer.writerow([])
        writer.writerow(["rule", _rule(meeting)])
        return out.getvalue()
    writer.writerow(["attendee", "delegation", "presence", "first_seen", "last_seen"])
    for a in services.attendance(meeting):
        writer.writerow(
            [
                _safe(a.user.name),
                _safe(a.user.delegation.name),
                a.presence.value,
                a.first_seen_at.isoformat(),
                a.last_seen_at.isoformat(),
            ]
        )
    writer.writerow([])
    writer.writerow(["rule", _rule(meeting)])
    return out.getvalue()


def _safe(value: str) -> str:
    """Spreadsheets run cells that start with these as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def record_docx(meeting: Meeting) -> bytes:
    document = docx.Document()
    document.add_heading(meeting.title, level=1)
    named = _named(meeting)
    document.add_paragraph(f"{meeting.room.title} · {meeting.kind.label} · {meeting.mode.label}")
    document.add_paragraph(_rule(meeting))
    for item, turns in services.speaking_record(meeting):
        document.add_heading(f"{item.label}. {item.title}", level=2)
        if not turns:
            document.add_paragraph("No speakers.")
            continue
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ["#", "Delegation", "Kind", "Time"], strict=True
        ):
            cell.text = text
        for t in turns:
            row = table.add_row().cells
            row[0].text = str(t.turn)
            row[1].text = visibility.who(t, named)
            interrupted = services.interruption_of(t, turns, named)
            row[2].text = f"{t.kind.label}, {interrupted}" if interrupted else str(t.kind.label)
            row[3].text = _minutes(t.spoken_seconds(t.ended_at or t.started_at))
        for t in turns:
            if t.ruling:
                document.add_paragraph(
                    f"Ruling on the point of order by {visibility.who(t, named)}: {t.ruling}"
                )
    document.add_heading("Attendance", level=2)
    if not named:
        counts = presence.counts(meeting)
        for name, tally in counts.by_status:
            document.add_paragraph(
                f"{name}: {tally.delegations} delegations ({tally.delegations_in_room} in the "
                f"room, {tally.delegations_remote} remote)",
                style="List Bullet",
            )
    for a in services.attendance(meeting) if named else []:
        document.add_paragraph(
            f"{a.user.name} ({a.user.delegation.name}), {a.presence.label}", style="List Bullet"
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
