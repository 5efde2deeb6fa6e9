"""Delegation drafts of the other kinds: a discussion reply, a new discussion and a national
contribution, each prepared by colleagues of one delegation and posted by one of them through
its own domain's service; nobody outside the delegation ever sees one."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from docx import Document
from flask import g
from markupsafe import escape
from sqlalchemy import func, select

from consult import policy
from consult.accounts.models import DelegationStatus
from consult.audit import AuditEvent
from consult.delegation_drafts.models import DelegationDraft, DelegationDraftChange
from consult.discussions import services as discussions
from consult.discussions.models import Topic, TopicPost
from consult.extensions import db as _db
from consult.notifications.models import Notification
from consult.papers.models import Paper, PaperKind
from consult.policy import Need
from consult.rooms.models import AccessLevel, RoomActivity, RoomRole
from consult.waiting import for_person

pytestmark = pytest.mark.exchange

SECRET = "Nigeria suggests a regional stockpile register"


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
    topic = discussions.start_topic(room, chair, "Stockpiles", "How do you secure them?")
    db.session.flush()
    g.pop("_emit_queue", None)  # the opening's own signals, not this test's
    return dict(
        nigeria=nigeria,
        one=one,
        two=two,
        other=other,
        secretariat=secretariat,
        chair=chair,
        room=room,
        topic=topic,
    )


@dataclass(frozen=True)
class KindCase:
    """How a test drives one kind: where its form saves, its fields, what posting makes."""

    name: str
    text_field: str
    extra: dict

    def target_id(self, s: dict) -> int:
        return s["topic"].id if self.name == "discussion_reply" else s["room"].id

    def data(self, body: str = SECRET, **more: Any) -> dict:
        return {self.text_field: body, **self.extra, **more}

    def posted(self) -> list:
        """The real objects made by posting (none before)."""
        if self.name == "discussion_reply":
            return list(
                _db.session.scalars(select(TopicPost).where(TopicPost.body.contains("Nig")))
            )
        if self.name == "discussion_topic":
            return list(_db.session.scalars(select(Topic).where(Topic.title == "Registers")))
        return list(_db.session.scalars(select(Paper).where(Paper.title == "Nigeria's register")))


REPLY = KindCase("discussion_reply", "body", {})
TOPIC = KindCase("discussion_topic", "body", {"title": "Registers"})
CONTRIBUTION = KindCase(
    "national_contribution",
    "source",
    {"title": "Nigeria's register", "kind": "national_paper", "original_language": "en"},
)
KINDS = [REPLY, TOPIC, CONTRIBUTION]
by_name = pytest.mark.parametrize("case", KINDS, ids=lambda c: c.name)


def _save(client, s, case: KindCase, **data):
    return client.post(
        f"/delegation-drafts/new/{case.name}/{case.target_id(s)}", data=case.data(**data)
    )


def _draft() -> DelegationDraft:
    return _db.session.scalars(select(DelegationDraft)).one()


@by_name
def test_save_edit_post_by_two_colleagues(client, auth, setting, case):
    s = setting
    auth.login_quickly(s["one"])
    response = _save(client, s, case)
    assert response.status_code == 303, response.get_data(as_text=True)
    draft = _draft()
    assert draft.delegation_id == s["nigeria"].id and draft.body == SECRET
    assert case.posted() == []

    auth.login_quickly(s["two"])
    page = client.get("/delegation-drafts").get_data(as_text=True)
    assert str(escape(draft.title)) in page and "Ada" in page
    assert str(escape(draft.title)) in client.get("/").get_data(as_text=True)
    page = client.get(f"/delegation-drafts/{draft.id}").get_data(as_text=True)
    assert SECRET in page
    response = client.post(
        f"/delegation-drafts/{draft.id}",
        data=case.data(SECRET + " by 2027", version=draft.version),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    _db.session.expire_all()
    draft = _draft()
    assert draft.updated_by_id == s["two"].id and draft.body.endswith("by 2027")
    assert "Bola edited it" in client.get(f"/delegation-drafts/{draft.id}").get_data(as_text=True)

    response = client.post(f"/delegation-drafts/{draft.id}/post", data={"version": draft.version})
    assert response.status_code == 303, response.get_data(as_text=True)
    made = case.posted()
    assert len(made) == 1
    thing = made[0]
    if case is REPLY:
        assert thing.author_id == s["two"].id and thing.topic_id == s["topic"].id
    elif case is TOPIC:
        assert thing.author_id == s["two"].id and thing.room_id == s["room"].id
    else:
        assert thing.kind is PaperKind.NATIONAL_PAPER
        assert thing.submitted_by_delegation_id == s["nigeria"].id
    _db.session.expire_all()
    assert _draft().posted_at is not None and response.headers["Location"] == _draft().posted_url
    actions = _db.session.scalars(
        select(DelegationDraftChange.action).order_by(DelegationDraftChange.id)
    ).all()
    assert actions == ["created", "edited", "posted"]


def _fail_to_post(case: KindCase, s: dict) -> str:
    """Make posting this kind fail for a reason its own service gives; return the reason."""
    if case is REPLY:
        discussions.set_closed(s["topic"], s["chair"], True)
        return "This discussion is closed"
    if case is TOPIC:
        s["room"].is_archived = True  # read only: nobody starts a discussion in it
        return "not start a discussion"
    s["nigeria"].status = DelegationStatus.OBSERVER_STATE
    return "Only a State Party or signatory State submits"


@by_name
def test_a_failure_to_post_keeps_the_draft_and_says_why(client, auth, setting, case):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s, case)
    draft = _draft()
    reason = _fail_to_post(case, s)
    _db.session.flush()
    response = client.post(
        f"/delegation-drafts/{draft.id}/post",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert reason in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _draft().is_open and _draft().body == SECRET and case.posted() == []


def test_a_reply_to_a_post_gone_from_the_topic_keeps_the_draft(client, auth, setting):
    s = setting
    answered = discussions.post_reply(s["topic"], s["chair"], "Our practice is ...")
    _db.session.flush()
    auth.login_quickly(s["one"])
    assert _save(client, s, REPLY, parent=str(answered.id)).status_code == 303
    draft = _draft()
    answered.topic_id = discussions.start_topic(s["room"], s["chair"], "Elsewhere", "x").id
    _db.session.flush()
    response = client.post(
        f"/delegation-drafts/{draft.id}/post",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert "no longer there" in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _draft().is_open and REPLY.posted() == []


def test_a_stale_save_of_a_new_discussion_is_refused_and_shows_both_texts(client, auth, setting):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s, TOPIC)
    draft = _draft()
    seen = draft.version
    auth.login_quickly(s["two"])
    client.post(f"/delegation-drafts/{draft.id}", data=TOPIC.data("Bola's text", version=seen))
    auth.login_quickly(s["one"])
    response = client.post(
        f"/delegation-drafts/{draft.id}", data=TOPIC.data("Ada's text", version=seen)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bola&#39;s text" in page and "Ada&#39;s text" in page
    _db.session.expire_all()
    assert _draft().body == "Bola's text"


@pytest.mark.parametrize(
    ("case", "more", "field_message"),
    [
        (TOPIC, {"title": ""}, "Give the discussion a title."),
        (TOPIC, {"title": "x" * 201}, "201 characters long"),
        (TOPIC, {"is_chatham_house": "y"}, "Only the room&#39;s chairs"),
        (CONTRIBUTION, {"title": ""}, "Give the contribution a title."),
        (CONTRIBUTION, {"articles": ["29"]}, "articles 1 to 28"),
        (CONTRIBUTION, {"kind": "working_paper"}, "national working paper or"),
        (REPLY, {"parent": "99999"}, "no longer there"),
    ],
    ids=lambda v: v.name if isinstance(v, KindCase) else None,
)
def test_bad_fields_are_refused_when_saved_and_nothing_stored(
    client, auth, setting, case, more, field_message
):
    auth.login_quickly(setting["one"])
    response = _save(client, setting, case, **more)
    assert response.status_code == 422 and field_message in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


def _docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_document_is_converted_to_markdown_when_the_draft_is_saved(client, auth, setting):
    auth.login_quickly(setting["one"])
    data = CONTRIBUTION.data("")
    data["document"] = (io.BytesIO(_docx(SECRET)), "register.docx")
    response = client.post(
        f"/delegation-drafts/new/national_contribution/{setting['room'].id}",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    draft = _draft()
    assert SECRET in draft.body and draft.fields["origin"] == "register.docx"


def test_a_document_that_cannot_be_read_is_refused_next_to_the_upload(client, auth, setting):
    auth.login_quickly(setting["one"])
    data = CONTRIBUTION.data("")
    data["document"] = (io.BytesIO(b"not a word document"), "register.docx")
    response = client.post(
        f"/delegation-drafts/new/national_contribution/{setting['room'].id}",
        data=data,
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="document-error"' in page
    assert "not a Word document" in page and "Paste the text" not in page
    assert _db.session.scalar(select(func.count(DelegationDraft.id))) == 0


@pytest.mark.parametrize(
    ("case", "page"),
    [
        (REPLY, "/discussions/{topic}"),
        (TOPIC, "/rooms/{slug}/discussions/new"),
        (CONTRIBUTION, "/rooms/{slug}/contributions/new"),
    ],
    ids=lambda v: v.name if isinstance(v, KindCase) else None,
)
def test_each_form_offers_the_draft_button(client, auth, setting, case, page):
    s = setting
    auth.login_quickly(s["one"])
    url = page.format(topic=s["topic"].id, slug=s["room"].slug)
    text = client.get(url).get_data(as_text=True)
    assert "Save as a draft of Nigeria" in text
    assert f"/delegation-drafts/new/{case.name}/{case.target_id(s)}" in text
    assert "not the attached files" in text or "Markdown" in text


@by_name
def test_the_draft_never_reaches_anyone_outside_the_delegation(
    client, auth, setting, db, case, monkeypatch
):
    from consult.extensions import socketio

    sent: list[tuple] = []
    monkeypatch.setattr(socketio, "emit", lambda event, data=None, **kw: sent.append((event, kw)))
    s = setting
    notifications = db.session.scalar(select(func.count(Notification.id)))
    activity = db.session.scalar(select(func.count(RoomActivity.id)))
    auth.login_quickly(s["one"])
    _save(client, s, case)
    draft = _draft()
    edited = client.post(
        f"/delegation-drafts/{draft.id}", data=case.data("Changed " + SECRET, version=draft.version)
    )
    assert edited.status_code == 303
    assert sent == []  # saving and editing signal nothing to any socket
    assert [w.title for w in for_person(s["two"]) if w.kind == "Draft of your delegation"] == [
        draft.title
    ]
    for outsider in (s["other"], s["secretariat"], s["chair"]):
        assert not policy.can(Need.VIEW, draft, outsider)
        visible = select(DelegationDraft.id).where(policy.visible(DelegationDraft, outsider))
        assert db.session.scalars(visible).all() == []
        lines = for_person(outsider)
        assert all(w.kind != "Draft of your delegation" and w.title != draft.title for w in lines)
        auth.login_quickly(outsider)
        assert client.get(f"/delegation-drafts/{draft.id}").status_code == 404
        assert client.post(f"/delegation-drafts/{draft.id}/post").status_code == 404
        for url in (
            "/",
            "/delegation-drafts",
            f"/rooms/{s['room'].slug}",
            f"/discussions/{s['topic'].id}",
            "/notifications/",
            "/admin/audit",
        ):
            text = client.get(url, follow_redirects=True).get_data(as_text=True)
            assert SECRET not in text, (outsider.name, url)
            assert draft.title not in text and str(escape(draft.title)) not in text
    assert db.session.scalar(select(func.count(Notification.id))) == notifications
    assert db.session.scalar(select(func.count(RoomActivity.id))) == activity
    assert not any(
        SECRET in (e.summary + str(e.details)) for e in db.session.scalars(select(AuditEvent))
    )


def test_a_topic_moved_out_of_sight_takes_its_draft_out_of_sight_and_keeps_it(
    client, auth, setting, make_room, add_member
):
    s = setting
    auth.login_quickly(s["one"])
    _save(client, s, REPLY)
    draft = _draft()
    elsewhere = make_room(AccessLevel.MEMBERS)
    add_member(elsewhere, s["chair"], RoomRole.CHAIR)
    s["topic"].room_id = elsewhere.id  # as a chair's move would
    _db.session.flush()
    auth.login_quickly(s["two"])
    assert client.get(f"/delegation-drafts/{draft.id}").status_code == 404
    assert (
        client.post(
            f"/delegation-drafts/{draft.id}/post", data={"version": draft.version}
        ).status_code
        == 404
    )
    assert str(escape(draft.title)) not in client.get("/delegation-drafts").get_data(as_text=True)
    _db.session.expire_all()
    assert _draft().is_open and REPLY.posted() == []
