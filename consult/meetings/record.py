"""The meeting's record: who spoke on which item, in which order, for how long; attendance."""

from __future__ import annotations

import csv
import io

import docx

from consult.meetings import services
from consult.meetings.models import Meeting


def _minutes(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def record_csv(meeting: Meeting) -> str:
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
                    _safe(t.delegation.name),
                    _safe(t.on_behalf_of),
                    t.kind.value,
                    t.presence.value,
                    t.started_at.isoformat() if t.started_at else "",
                    t.spoken_seconds(t.ended_at or t.started_at),
                    _safe(t.ruling or ""),
                    _safe(services.interruption_of(t, turns)),
                ]
            )
    writer.writerow([])
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
    return out.getvalue()


def _safe(value: str) -> str:
    """Spreadsheets run cells that start with these as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def record_docx(meeting: Meeting) -> bytes:
    document = docx.Document()
    document.add_heading(meeting.title, level=1)
    document.add_paragraph(f"{meeting.room.title} · {meeting.kind.label} · {meeting.mode.label}")
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
            row[1].text = (
                t.on_behalf_of
                if t.on_behalf_of == t.delegation.name
                else f"{t.on_behalf_of} ({t.delegation.name})"
            )
            interrupted = services.interruption_of(t, turns)
            row[2].text = f"{t.kind.label}, {interrupted}" if interrupted else str(t.kind.label)
            row[3].text = _minutes(t.spoken_seconds(t.ended_at or t.started_at))
        for t in turns:
            if t.ruling:
                document.add_paragraph(
                    f"Ruling on the point of order by {t.delegation.name}: {t.ruling}"
                )
    document.add_heading("Attendance", level=2)
    for a in services.attendance(meeting):
        document.add_paragraph(
            f"{a.user.name} ({a.user.delegation.name}), {a.presence.label}", style="List Bullet"
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
