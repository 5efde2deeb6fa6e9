"""Times are shown in the viewer's time zone, and strings go through gettext."""

from __future__ import annotations

from datetime import UTC, datetime

from consult.rooms.models import AccessLevel, RoomActivity, RoomRole


def test_times_are_shown_in_my_time_zone(client, auth, make_user, make_room, add_member, db):
    user = make_user(time_zone="Asia/Tokyo")
    room = make_room(AccessLevel.MEMBERS)
    add_member(room, user, RoomRole.MEMBER)
    db.session.add(
        RoomActivity(
            room_id=room.id,
            kind="test",
            summary="Something changed",
            created_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
        )
    )
    db.session.flush()
    auth.login(user)
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "Times are shown in the time zone of Tokyo — Japan." in page
    # 23:30 UTC on 2 March is 08:30 on 3 March in Tokyo: day, month in words, 24-hour clock.
    assert "3 Mar 2026, 08:30" in page
    user.language = "fr"
    db.session.flush()
    assert "3 mars 2026, 08:30" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    user.language = "es"
    db.session.flush()
    assert "3 mar 2026, 08:30" in client.get(f"/rooms/{room.slug}").get_data(as_text=True)


def test_every_template_string_is_translatable():
    """No bare English sentence between tags: visible text goes through _() or ngettext()."""
    import re
    from pathlib import Path

    from consult.config import ROOT

    offenders = []
    for path in sorted((Path(ROOT) / "templates").rglob("*.html")):
        text = path.read_text()
        text = re.sub(r"{#.*?#}", "", text, flags=re.S)
        text = re.sub(r"{%.*?%}|{{.*?}}", "", text, flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
        for chunk in re.findall(r">([^<>]+)<", text):
            words = re.findall(r"[A-Za-z]{3,}", chunk)
            if len(words) >= 2:
                offenders.append(f"{path.relative_to(ROOT)}: {chunk.strip()[:60]}")
    assert not offenders, "untranslated text in templates:\n" + "\n".join(offenders)
