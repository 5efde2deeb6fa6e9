"""Delegation drafts: colleagues prepare a comment together, one posts it; nobody else sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import policy
from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.delegation_drafts import services as drafts
from consult.delegation_drafts.models import DelegationDraft, DelegationDraftChange
from consult.extensions import db as _db
from consult.notifications.models import Notification
from consult.papers import services as papers
from consult.papers.models import Comment, PaperKind, PaperStatus
from consult.policy import Need
from consult.rooms.models import AccessLevel, RoomActivity, RoomRole
from consult.timeutil import utcnow
from consult.waiting import for_person

pytestmark = pytest.mark.exchange

SECRET = "Nigeria proposes to strike the word diversion"


@pytest.fixture
def setting(db, make_delegation, make_user, make_room, add_member):
    nigeria = make_delegation(DelegationStatus.STATE_PARTY, name="Nigeria")
    one = make_user(delegation=nigeria, name="Ada")
    two = make_user(delegation=nigeria, name="Bola")
    other = make_user(status=DelegationStatus.STATE_PARTY, name="Carl")
    secretariat = make_user(status=DelegationStatus.SECRETARIAT, name="Sec")
    chair = make_user(status=DelegationStatus.STATE_PARTY, name="Chair")
    room = make_room(AccessLevel.MEMBERS)
    add_member(room, nigeria)
    add_member(room, other.delegation)
    add_member(room, chair, RoomRole.CHAIR)
    paper = papers.create_paper(
        room,
        chair,
        title="Working paper",
        kind=PaperKind.WORKING_PAPER,
        issued_by="Chair",
        source="First paragraph.\n\nSecond paragraph.",
    )
    paper.status = PaperStatus.OPEN
    paragraph = papers.paragraphs_of(papers.current_revision(paper))[0]
    db.session.flush()
    return dict(
        nigeria=nigeria,
        one=one,
        two=two,
        other=other,
        secretariat=secretariat,
        chair=chair,
        room=room,
        paper=paper,
        key=paragraph.key,
    )


def _save(client, s, body=SECRET, **extra):
    data = {"body": body, "on_behalf_of": "Nigeria", "revision": "0", **extra}
    return client.post(
        f"/delegation-drafts/new/paper_comment/{s['paper'].id}?key={s['key']}", data=data
    )


def _draft() -> DelegationDraft:
    return _db.session.scalars(select(DelegationDraft)).one()


def test_save_edit_post_by_two_colleagues(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    response = _save(client, s)
    assert response.status_code == 303
    draft = _draft()
    first = draft.version
    assert draft.delegation_id == s["nigeria"].id and draft.body == SECRET
    assert _db.session.scalar(select(func.count(Comment.id))) == 0

    auth.login_quickly(s["two"])
    page = client.get("/delegation-drafts").get_data(as_text=True)
    assert draft.title in page and "Ada" in page
    dashboard = client.get("/").get_data(as_text=True)
    assert "Draft of your delegation" in dashboard and draft.title in dashboard
    response = client.post(
        f"/delegation-drafts/{draft.id}",
        data={
            "body": SECRET + " and add brokering",
            "version": draft.version,
            "on_behalf_of": "Nigeria",
        },
    )
    assert response.status_code == 303
    _db.session.expire_all()
    draft = _draft()
    assert draft.version > first and draft.updated_by_id == s["two"].id
    page = client.get(f"/delegation-drafts/{draft.id}").get_data(as_text=True)
    assert "Bola edited it" in page and "Ada saved the first text" in page
    assert "<ins>" in page  # what changed, as a redline

    response = client.post(f"/delegation-drafts/{draft.id}/post", data={"version": draft.version})
    assert response.status_code == 303
    comment = _db.session.scalars(select(Comment)).one()
    assert comment.author_id == s["two"].id and comment.body.endswith("add brokering")
    _db.session.expire_all()
    assert _draft().posted_at is not None
    actions = _db.session.scalars(
        select(DelegationDraftChange.action).order_by(DelegationDraftChange.id)
    ).all()
    assert actions == ["created", "edited", "posted"]


def test_second_save_from_an_old_version_is_refused_and_shows_both_texts(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    old = draft.version
    auth.login_quickly(s["two"])
    assert (
        client.post(
            f"/delegation-drafts/{draft.id}",
            data={"body": "Bola's text", "version": old, "on_behalf_of": "Nigeria"},
        ).status_code
        == 303
    )
    auth.login_quickly(s["one"])
    response = client.post(
        f"/delegation-drafts/{draft.id}",
        data={"body": "Ada's text", "version": old, "on_behalf_of": "Nigeria"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A colleague saved this draft while you were editing it" in page
    assert "Bola&#39;s text" in page and "Ada&#39;s text" in page  # both, nothing lost
    _db.session.expire_all()
    assert _draft().body == "Bola's text"
    # With the stored text seen (the page carries the current version), a save goes through.
    current = _draft().version
    assert (
        client.post(
            f"/delegation-drafts/{draft.id}",
            data={"body": "Ada's and Bola's text", "version": current, "on_behalf_of": "Nigeria"},
        ).status_code
        == 303
    )


def test_a_concurrent_write_is_caught_by_the_version_column(setting, db):
    s = setting
    draft = drafts.save_new("paper_comment", s["paper"], s["key"], s["one"], SECRET, {})
    db.session.flush()
    # A colleague's save lands between our read and our write.
    db.session.execute(
        DelegationDraft.__table__.update()
        .where(DelegationDraft.id == draft.id)
        .values(version=DelegationDraft.version + 1)
    )
    nested = db.session.begin_nested()
    with pytest.raises(drafts.DraftConflict):
        drafts.edit(draft, s["two"], seen=draft.version, body="Mine", fields={})
    nested.rollback()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write the text before saving the draft."), ("x" * 20_001, "20000")],
)
def test_bad_text_is_refused_next_to_the_field_and_nothing_stored(
    client, auth, setting, body, message
):
    auth.login_quickly(setting["one"])
    response = _save(client, setting, body=body)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


def test_posting_when_comments_are_closed_keeps_the_draft(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    s["paper"].closes_at = utcnow() - timedelta(minutes=1)
    _db.session.flush()
    response = client.post(
        f"/delegation-drafts/{draft.id}/post",
        data={"version": draft.version},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The comment deadline has passed" in page
    _db.session.expire_all()
    assert _draft().is_open and _db.session.scalar(select(func.count(Comment.id))) == 0


def test_posting_a_version_not_seen_is_refused(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    response = client.post(
        f"/delegation-drafts/{draft.id}/post",
        data={"version": draft.version + 5},
        follow_redirects=True,
    )
    assert "changed this draft since you opened it" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Comment.id))) == 0


def test_discard_and_restore(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    page = client.post(f"/delegation-drafts/{draft.id}/discard", follow_redirects=True)
    assert "is discarded" in page.get_data(as_text=True)
    _db.session.expire_all()
    assert not _draft().is_open
    assert for_person(s["two"]) == [] or all(w.title != draft.title for w in for_person(s["two"]))
    client.post(f"/delegation-drafts/{draft.id}/restore")
    _db.session.expire_all()
    assert _draft().is_open


def test_the_draft_never_reaches_anyone_outside_the_delegation(client, auth, setting, db):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    # Colleagues see it on their dashboard; nobody else does.
    assert [w.kind for w in for_person(s["two"])] == ["Draft of your delegation"]
    for outsider in (s["other"], s["secretariat"], s["chair"]):
        assert not policy.can(Need.VIEW, draft, outsider)
        assert (
            db.session.scalars(
                select(DelegationDraft.id).where(policy.visible(DelegationDraft, outsider))
            ).all()
            == []
        )
        assert for_person(outsider) == []
        auth.login_quickly(outsider)
        for url in (
            f"/delegation-drafts/{draft.id}",
            f"/delegation-drafts/{draft.id}/post",
            f"/delegation-drafts/{draft.id}/discard",
        ):
            method = client.get if url.endswith(str(draft.id)) else client.post
            assert method(url).status_code == 404
        for url in (
            "/",
            "/delegation-drafts",
            f"/rooms/{s['room'].slug}",
            f"/papers/{s['paper'].id}",
            f"/papers/{s['paper'].id}/p/{s['key']}",
            "/notifications/",
            "/admin/audit",
        ):
            text = client.get(url, follow_redirects=True).get_data(as_text=True)
            assert SECRET not in text and draft.title not in text, (outsider.name, url)
    # No notification, activity line or audit line speaks of it.
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    lines = db.session.scalars(select(RoomActivity.summary)).all()
    assert not any(SECRET in line for line in lines)
    assert not any(
        SECRET in (e.summary + str(e.details)) for e in db.session.scalars(select(AuditEvent))
    )


def test_a_colleague_who_cannot_see_the_paper_does_not_see_the_draft(setting, db, make_user):
    s = setting
    draft = drafts.save_new("paper_comment", s["paper"], s["key"], s["one"], SECRET, {})
    s["paper"].status = PaperStatus.DRAFTING  # only the room's managers see it now
    db.session.flush()
    assert not policy.can(Need.VIEW, draft, s["two"])
    assert (
        db.session.scalars(
            select(DelegationDraft.id).where(policy.visible(DelegationDraft, s["two"]))
        ).all()
        == []
    )


def test_the_comment_form_offers_the_draft_button(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    page = client.get(f"/papers/{s['paper'].id}/p/{s['key']}").get_data(as_text=True)
    assert "Save as a draft of Nigeria" in page
    assert f"/delegation-drafts/new/paper_comment/{s['paper'].id}?key={s['key']}" in page


def test_a_refused_save_from_the_paper_fragment_shows_the_form_in_the_page(client, auth, setting):
    """The button sits in the paper's thread fragment: htmx gets the draft form for the page's
    main area, the message next to the text, the other fields kept."""
    s = setting
    auth.login_quickly(s["one"])
    response = client.post(
        f"/delegation-drafts/new/paper_comment/{s['paper'].id}?key={s['key']}",
        data={"body": "", "quote": "First", "on_behalf_of": "Nigeria"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#main"
    page = response.get_data(as_text=True)
    assert "Write the text before saving the draft." in page and "First</textarea>" in page
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


def test_a_draft_on_a_paragraph_not_in_the_text_is_refused(client, auth, setting):
    auth.login_quickly(setting["one"])
    response = client.post(
        f"/delegation-drafts/new/paper_comment/{setting['paper'].id}?key=nope",
        data={"body": SECRET, "on_behalf_of": "Nigeria"},
    )
    assert response.status_code == 422
    assert "not in the current revision" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


def test_a_posted_draft_can_no_longer_be_edited(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    client.post(f"/delegation-drafts/{draft.id}/post", data={"version": draft.version})
    _db.session.expire_all()
    response = client.post(
        f"/delegation-drafts/{draft.id}",
        data={"body": "Later", "version": _draft().version, "on_behalf_of": "Nigeria"},
    )
    assert response.status_code == 422
    _db.session.expire_all()
    assert _draft().body == SECRET
    assert _db.session.scalar(select(func.count(Comment.id))) == 1


def test_the_drafts_page_runs_the_same_queries_for_few_and_many(
    client, auth, setting, count_queries
):
    s = setting

    def page_statements() -> int:
        with count_queries() as statements:
            assert client.get("/delegation-drafts").status_code == 200
        return len(statements)

    auth.login_quickly(s["one"])
    drafts.save_new("paper_comment", s["paper"], s["key"], s["two"], "One", {})
    _db.session.flush()
    few = page_statements()
    for n in range(8):
        drafts.save_new(
            "paper_comment", s["paper"], s["key"], s["one" if n % 2 else "two"], f"T{n}", {}
        )
    _db.session.flush()
    assert page_statements() == few


def test_saving_editing_and_discarding_send_no_live_signal(client, auth, setting, monkeypatch):
    """Nothing about a draft reaches any socket (a signal would tell outsiders that something
    changed); only posting does, through the paper's own "paper-changed"."""
    from consult.extensions import socketio

    sent: list[tuple] = []
    monkeypatch.setattr(socketio, "emit", lambda event, data=None, **kw: sent.append((event, kw)))
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s)
    draft = _draft()
    client.post(
        f"/delegation-drafts/{draft.id}",
        data={"body": "Changed", "version": draft.version, "on_behalf_of": "Nigeria"},
    )
    client.post(f"/delegation-drafts/{draft.id}/discard")
    client.post(f"/delegation-drafts/{draft.id}/restore")
    assert sent == []
    _db.session.expire_all()
    client.post(f"/delegation-drafts/{draft.id}/post", data={"version": _draft().version})
    assert sent and all(SECRET not in str(item) for item in sent)
    paper_room = f"paper:{s['paper'].id}"
    assert {to["to"] for event, to in sent if event == "paper-changed"} == {paper_room}
    # Besides, only the chair who follows the paper (by default) hears of the new comment.
    others = {(event, to["to"]) for event, to in sent if event != "paper-changed"}
    assert others == {("notifications-changed", f"user:{s['chair'].id}")}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"on_behalf_of": "Someone else"}, "You can speak only for your delegation"),
        ({"parent_id": "99999"}, "no longer there"),
        ({"parent_id": "9223372036854775808"}, "no longer there"),
    ],
)
def test_the_comments_other_fields_are_checked_when_saved(client, auth, setting, extra, message):
    auth.login_quickly(setting["one"])
    response = _save(client, setting, **extra)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0
