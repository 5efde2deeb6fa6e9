"""Documents of agenda items: papers and files the chair attaches with their circulation date
("late" after the room's circulation period), delegations' written statements the chair
publishes, removal with a way back, and every list and download through the policy."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.meetings import documents
from consult.meetings.models import AgendaDocument, DocumentKind
from consult.papers import services as papers
from consult.papers.models import PaperKind, PaperStatus
from consult.policy import Need, can, visible
from consult.rooms.models import AccessLevel, RoomRole
from consult.timeutil import utcnow
from tests import test_meetings
from tests.test_meetings import HX, delegate

hall = test_meetings.hall  # a meeting of an open room, item 1 current

pytestmark = pytest.mark.meetings

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _paper(room, chair, title="Chair's draft report", status=None):
    paper = papers.create_paper(
        room,
        chair,
        title=title,
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First point.\n\nSecond point.",
    )
    papers.open_for_comments(paper, chair)
    if status is not None:
        paper.status = status
    return paper


def _stored_files(app) -> set[str]:
    folder = Path(app.config["ATTACHMENT_DIR"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _as(auth, user) -> None:
    """Sign in as `user` (signing out whoever was signed in)."""
    auth.logout()
    auth.login(user)


def _rows(item) -> list[AgendaDocument]:
    from consult.extensions import db

    return list(db.session.scalars(select(AgendaDocument).where(AgendaDocument.item_id == item.id)))


# ---- circulation and "late" -----------------------------------------------------------------


def test_a_paper_circulated_after_the_rooms_period_is_marked_late(client, auth, db, hall):
    room, chair, meeting, (first, *_rest) = hall
    room.circulation_days = 28
    meeting.starts_at = utcnow() + timedelta(days=7)
    meeting.ends_at = meeting.starts_at + timedelta(hours=3)
    early, late = _paper(room, chair, "Background paper"), _paper(room, chair, "Draft decision")
    documents.attach_paper(first, chair, early, utcnow() - timedelta(days=30))
    documents.attach_paper(first, chair, late, utcnow() - timedelta(days=1))
    db.session.flush()
    listed = documents.item_documents(meeting, chair)[first.id]
    assert [(d.title, d.late) for d in listed] == [
        ("Background paper", False),
        ("Draft decision", True),
    ]
    assert all(d.kind is DocumentKind.PAPER and d.circulated_at for d in listed)
    # Without a circulation period nothing is late.
    room.circulation_days = None
    assert not any(d.late for d in documents.item_documents(meeting)[first.id])


def test_the_chair_attaches_a_paper_with_its_date_through_the_page(client, auth, db, hall):
    room, chair, meeting, (first, *_rest) = hall
    room.circulation_days = 28
    paper = _paper(room, chair)
    db.session.flush()
    _as(auth, chair)
    page = client.get(f"/agenda/{first.id}/documents").get_data(as_text=True)
    assert "Chair&#39;s draft report" in page and "Attach a paper" in page
    day = (utcnow() - timedelta(days=7)).date().isoformat()
    response = client.post(
        f"/agenda/{first.id}/documents/paper",
        data={"paper": str(paper.id), "paper_circulated_on": day},
    )
    assert response.status_code == 303
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Chair&#39;s draft report" in html and "late" in html
    # A date in the future is refused next to its field, nothing stored.
    future = (utcnow() + timedelta(days=3)).date().isoformat()
    other = _paper(room, chair, "Another")
    db.session.flush()
    response = client.post(
        f"/agenda/{first.id}/documents/paper",
        data={"paper": str(other.id), "paper_circulated_on": future},
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert len(_rows(first)) == 1


# ---- bad input ------------------------------------------------------------------------------


def test_a_paper_the_meetings_audience_may_not_see_is_refused(
    client, auth, db, hall, make_room, add_member
):
    room, chair, meeting, (first, *_rest) = hall
    narrow = make_room(AccessLevel.MEMBERS, title="Small group on end use")
    add_member(narrow, chair, RoomRole.CHAIR)
    secret = _paper(narrow, chair, "Small group's paper")
    drafting = _paper(room, chair, "Not yet issued", status=PaperStatus.DRAFTING)
    db.session.flush()
    _as(auth, chair)
    # Not offered, and refused when sent anyway.
    page = client.get(f"/agenda/{first.id}/documents").get_data(as_text=True)
    assert "Small group&#39;s paper" not in page
    response = client.post(f"/agenda/{first.id}/documents/paper", data={"paper": str(secret.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not everyone who sees this meeting may see that paper" in html
    assert 'id="paper-error"' in html  # next to its field
    response = client.post(f"/agenda/{first.id}/documents/paper", data={"paper": str(drafting.id)})
    assert response.status_code == 422 and "not issued" in response.get_data(as_text=True)
    response = client.post(f"/agenda/{first.id}/documents/paper", data={"paper": "0"})
    assert response.status_code == 422 and "Choose a paper" in response.get_data(as_text=True)
    assert _rows(first) == []


def test_a_narrower_room_whose_papers_the_audience_sees_is_accepted(
    db, hall, make_room, add_member, make_user
):
    """A members-only meeting's room whose every member sees the open room's papers."""
    room, chair, _meeting, _items = hall
    from consult.meetings import services

    narrow = make_room(AccessLevel.MEMBERS)
    add_member(narrow, chair, RoomRole.CHAIR)
    member = make_user()
    add_member(narrow, member, RoomRole.MEMBER)
    small = services.create_meeting(
        narrow,
        chair,
        title="Small group",
        kind=_meeting.kind,
        mode=_meeting.mode,
        starts_at=utcnow(),
        ends_at=utcnow() + timedelta(hours=1),
        time_zone="UTC",
    )
    item = services.add_item(small, chair, number=1, letter="", title="Paper")
    paper = _paper(room, chair, "Open room's paper")
    documents.attach_paper(item, chair, paper)
    db.session.flush()
    assert [d.title for d in documents.item_documents(small, member)[item.id]] == [
        "Open room's paper"
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", PDF, "Upload a PDF, Word (.docx) or PowerPoint (.pptx) file."),
        ("sheet.xlsx", PDF, "Upload a PDF, Word (.docx) or PowerPoint (.pptx) file."),
        ("big.pdf", b"x" * (64 * 1024 + 1), "at most"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_file_of_a_refused_type_or_over_the_limit_is_refused(
    app, client, auth, db, hall, name, data, message
):
    _room, chair, _meeting, (first, *_rest) = hall
    _as(auth, chair)
    before = _stored_files(app)
    limit = app.config["MAX_ATTACHMENT_BYTES"]
    app.config["MAX_ATTACHMENT_BYTES"] = 64 * 1024
    try:
        response = client.post(
            f"/agenda/{first.id}/documents/file",
            data={"file_title": "Annex", "upload": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = limit
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'id="upload-error"' in html
    assert _rows(first) == [] and _stored_files(app) == before


def test_a_file_needs_a_title_and_a_title_over_the_limit_is_refused_with_its_length(
    client, auth, db, hall
):
    _room, chair, _meeting, (first, *_rest) = hall
    _as(auth, chair)
    for title, said in (("", "Give the document a title."), ("x" * 301, "301 characters")):
        response = client.post(
            f"/agenda/{first.id}/documents/file",
            data={"file_title": title, "upload": (io.BytesIO(PDF), "a.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422 and said in response.get_data(as_text=True)
    assert _rows(first) == []


# ---- files and written statements -----------------------------------------------------------


def test_the_chairs_file_is_downloaded_by_who_sees_the_meeting(
    client, auth, db, hall, make_user, make_delegation
):
    _room, chair, meeting, (first, *_rest) = hall
    _as(auth, chair)
    response = client.post(
        f"/agenda/{first.id}/documents/file",
        data={"file_title": "Programme of work", "upload": (io.BytesIO(PDF), "programme.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    (document,) = _rows(first)
    assert document.kind is DocumentKind.FILE and document.content_type == "application/pdf"
    someone = delegate(make_user, make_delegation, name="Ruritania")
    _as(auth, someone)
    download = client.get(f"/agenda-documents/{document.id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_written_statement_is_seen_by_its_delegation_and_the_chair_until_published(
    client, auth, db, hall, make_user, make_delegation
):
    _room, chair, meeting, (first, *_rest) = hall
    author = delegate(make_user, make_delegation, name="Ruritania")
    colleague = make_user(delegation=author.delegation)
    other = delegate(make_user, make_delegation, name="Freedonia")
    _as(auth, author)
    response = client.post(
        f"/agenda/{first.id}/documents/statement",
        data={"statement_title": "", "statement_file": (io.BytesIO(PDF), "statement.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    (statement,) = _rows(first)
    assert statement.title == "Written statement by Ruritania" and not statement.is_published
    assert statement.circulated_at is None
    for person, sees in ((author, True), (colleague, True), (chair, True), (other, False)):
        listed = documents.item_documents(meeting, person).get(first.id, [])
        assert bool(listed) is sees
        assert can(Need.VIEW, statement, person) is sees
    assert documents.item_documents(meeting).get(first.id) is None  # not on the screen yet
    _as(auth, other)
    assert client.get(f"/agenda-documents/{statement.id}/file").status_code == 404
    assert client.post(f"/agenda-documents/{statement.id}/publish").status_code == 404
    _as(auth, author)
    assert client.post(f"/agenda-documents/{statement.id}/publish").status_code == 403
    # The chair publishes it: circulated now, to everyone.
    _as(auth, chair)
    assert client.post(f"/agenda-documents/{statement.id}/publish").status_code == 303
    assert statement.is_published and statement.circulated_at is not None
    assert [d.title for d in documents.item_documents(meeting, other)[first.id]] == [
        "Written statement by Ruritania"
    ]
    panel = client.get(f"/meetings/{meeting.id}/panel", headers=HX).get_data(as_text=True)
    assert "Documents for this item" in panel and "Written statement by Ruritania" in panel
    # Publishing twice is refused with the reason.
    response = client.post(f"/agenda-documents/{statement.id}/publish", follow_redirects=True)
    assert "already published" in response.get_data(as_text=True)


def test_a_delegation_takes_back_its_own_statement_before_publication(
    client, auth, db, hall, make_user, make_delegation
):
    _room, _chair, _meeting, (first, *_rest) = hall
    author = delegate(make_user, make_delegation, name="Ruritania")
    statement = documents.submit_statement(
        first, author, title="Our position", filename="s.docx", data=b"PK\x03\x04"
    )
    db.session.flush()
    _as(auth, author)
    response = client.post(f"/agenda-documents/{statement.id}/remove", follow_redirects=True)
    assert "is removed from the item" in response.get_data(as_text=True)
    assert statement.removed_at is not None


# ---- removing, with a way back --------------------------------------------------------------


def test_a_removed_document_can_be_restored_by_the_chair(client, auth, db, hall):
    room, chair, meeting, (first, *_rest) = hall
    document = documents.attach_paper(first, chair, _paper(room, chair))
    db.session.flush()
    _as(auth, chair)
    response = client.post(f"/agenda-documents/{document.id}/remove", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Restore it from" in html and "Removed documents" in html
    assert documents.item_documents(meeting, chair) == {}
    assert [d.id for d in documents.removed_of(first, chair)] == [document.id]
    response = client.post(f"/agenda-documents/{document.id}/restore", follow_redirects=True)
    assert "is back on the item" in response.get_data(as_text=True)
    assert [d.id for d in documents.item_documents(meeting, chair)[first.id]] == [document.id]
    # Restoring what is not removed says so.
    response = client.post(f"/agenda-documents/{document.id}/restore", follow_redirects=True)
    assert "is not removed" in response.get_data(as_text=True)


def test_a_removed_document_is_gone_for_participants(
    client, auth, db, hall, make_user, make_delegation
):
    room, chair, _meeting, (first, *_rest) = hall
    document = documents.attach_file(first, chair, title="Annex", filename="annex.pdf", data=PDF)
    documents.remove(document, chair)
    db.session.flush()
    someone = delegate(make_user, make_delegation)
    _as(auth, someone)
    assert client.get(f"/agenda-documents/{document.id}/file").status_code == 404
    assert client.post(f"/agenda-documents/{document.id}/restore").status_code == 404


# ---- the live view and the screen -----------------------------------------------------------


def test_the_live_view_and_the_screen_show_the_current_items_documents(
    client, auth, db, hall, make_user, make_delegation
):
    from consult.meetings import screens

    room, chair, meeting, (first, second, _sub) = hall
    room.circulation_days = 28
    documents.attach_paper(first, chair, _paper(room, chair, "Draft decision"), utcnow())
    documents.attach_file(second, chair, title="Not yet", filename="later.pdf", data=PDF)
    db.session.flush()
    someone = delegate(make_user, make_delegation)
    _as(auth, someone)
    live = client.get(f"/meetings/{meeting.id}/live").get_data(as_text=True)
    assert "Documents for this item" in live and "Draft decision" in live
    assert "Not yet" not in live  # item 2's document: not the current item's
    assert "late" in live
    screen = screens.payload(meeting.id)["html"]
    assert "Draft decision" in screen and "late" in screen and "<a " not in screen


# ---- the policy in SQL agrees with can() ----------------------------------------------------


def test_the_visible_filter_agrees_with_can(
    db, hall, make_room, add_member, make_user, make_delegation
):
    room, chair, meeting, (first, *_rest) = hall
    author = delegate(make_user, make_delegation, name="Ruritania")
    other = delegate(make_user, make_delegation, name="Freedonia")
    paper = documents.attach_paper(first, chair, _paper(room, chair))
    pending = documents.submit_statement(first, author, title="", filename="s.pdf", data=PDF)
    gone = documents.attach_file(first, chair, title="Gone", filename="g.pdf", data=PDF)
    documents.remove(gone, chair)
    narrow = make_room(AccessLevel.MEMBERS)
    coordinator = make_user()
    add_member(narrow, coordinator, RoomRole.CHAIR)
    hidden = documents.link_paper(first, coordinator, _paper(narrow, coordinator, "Group's"))
    db.session.flush()
    everything = list(db.session.scalars(select(AgendaDocument)))
    assert len(everything) == 4
    for person in (chair, author, other):
        seen = set(
            db.session.scalars(select(AgendaDocument.id).where(visible(AgendaDocument, person)))
        )
        assert seen == {d.id for d in everything if can(Need.VIEW, d, person)}
    assert paper.id in seen and pending.id not in seen and gone.id not in seen
    assert hidden.id not in seen


def test_the_rooms_circulation_period_is_set_where_room_settings_are_edited(
    client, auth, db, make_user
):
    from consult.accounts.models import DelegationStatus
    from consult.admin import forms as admin_forms
    from consult.admin import services as admin
    from consult.rooms.models import RoomKind

    secretariat = make_user(status=DelegationStatus.SECRETARIAT)
    room = admin.create_room(
        title="WGETI",
        slug="wgeti-docs",
        kind=RoomKind.WORKING_GROUP,
        access=AccessLevel.OPEN,
        parent_id=None,
        time_zone="Europe/Zurich",
        description="",
        actor=secretariat,
        circulation_days=28,
    )
    assert room.circulation_days == 28
    changes = admin.update_room(
        room, **{**_room_values(room), "circulation_days": 21}, actor=secretariat
    )
    assert room.circulation_days == 21 and "circulation_days" in changes
    _as(auth, secretariat)
    page = client.get(f"/admin/rooms/{room.id}/edit").get_data(as_text=True)
    assert "Circulation period for meeting documents" in page and 'value="21"' in page
    form = admin_forms.room_form([], room)
    assert form.circulation_days.data == 21


def _room_values(room) -> dict:
    return {
        "title": room.title,
        "slug": room.slug,
        "kind": room.kind,
        "access": room.access,
        "parent_id": room.parent_id,
        "time_zone": room.time_zone,
        "description": room.description,
    }
