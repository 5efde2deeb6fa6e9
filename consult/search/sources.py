"""What is searched: one `Source` per kind, saying how a row of its model becomes an index row.

The search package is the one place that knows every searchable model (as admin knows every
table): it imports their models, and none of them imports it. A source answers `None` for a
row that must not be found (a withdrawn or hidden comment, a removed agenda item): its index
row is removed. Visibility is never decided here: each index row names the listed model whose
visible filter decides (`subject`), and the query applies that filter in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.case_studies.models import CaseStudy
from consult.discussions.models import Topic, TopicPost
from consult.extensions import db
from consult.meetings.models import AgendaItem, Meeting
from consult.papers.models import Comment, Paper, Revision
from consult.questionnaires.models import Question, Questionnaire
from consult.rooms.models import Room
from consult.search.text import join, plain
from consult.threads.models import Post, Thread


@dataclass
class Doc:
    """An index row before its terms are made (consult.search.index)."""

    subject: Any  # the listed model whose visible filter decides
    subject_id: int
    page_id: int
    room_id: int
    dated_at: datetime
    title: str
    body: str
    language: str | None = None  # None: guessed from the text
    anchor: str = ""
    delegation_id: int | None = None
    tag: tuple[str, int] | None = None
    sealed: bool = False
    #: Shown before the title, not searched: what the row belongs to (a comment's paper, a
    #: post's topic), so a paper's title finds the paper once, not every comment on it.
    heading: str = ""


@dataclass(frozen=True)
class Source:
    kind: str
    model: type
    #: The listed model whose visible filter decides who finds it (Doc.subject).
    subject: type
    label: Any
    make: Callable[[Any], Doc | None]
    #: Attributes whose change re-indexes the row (every change of a new row does).
    watch: tuple[str, ...]
    #: Rows of other sources that copy something of this one: (kind, foreign key, attributes
    #: of this row that they copy); re-indexed when one of those attributes changes.
    cascade: tuple[tuple[str, Any, tuple[str, ...]], ...] = ()
    #: Behind the confidential gate: searched only when it is open for this session.
    gated: bool = False
    extra: dict = field(default_factory=dict)


def _get(model: type, ident: int | None) -> Any:
    return None if ident is None else db.session.get(model, ident)


def _room(room: Room) -> Doc:
    return Doc(
        Room, room.id, room.id, room.id, room.created_at, room.title, plain(room.description)
    )


def _paper(paper: Paper) -> Doc:
    return Doc(
        Paper,
        paper.id,
        paper.id,
        paper.room_id,
        paper.created_at,
        paper.title,
        join([paper.symbol, paper.issued_by]),
        language=paper.original_language,
        delegation_id=paper.submitted_by_delegation_id,
        tag=("paper", paper.id),
    )


def _revision(revision: Revision) -> Doc | None:
    paper = _get(Paper, revision.paper_id)
    if paper is None:
        return None
    return Doc(
        Paper,
        paper.id,
        paper.id,
        paper.room_id,
        revision.created_at,
        "",
        plain(revision.source),
        language=paper.original_language,
        anchor=str(revision.number),
        delegation_id=paper.submitted_by_delegation_id,
        tag=("paper", paper.id),
        heading=f"{paper.title} ({revision.label})",
    )


def _comment(comment: Comment) -> Doc | None:
    if comment.deleted_at is not None or comment.hidden_at is not None:
        return None
    paper = _get(Paper, comment.paper_id)
    if paper is None:
        return None
    return Doc(
        Comment,
        comment.id,
        paper.id,
        paper.room_id,
        comment.created_at,
        "",
        join([plain(comment.body), plain(comment.proposed_text)]),
        anchor=comment.paragraph_key,
        delegation_id=None if paper.is_chatham_house else comment.delegation_id,
        tag=("paper", paper.id),
        heading=paper.title,
    )


def _topic(topic: Topic) -> Doc:
    return Doc(
        Topic,
        topic.id,
        topic.id,
        topic.room_id,
        topic.created_at,
        topic.title,
        "",
        delegation_id=None if topic.is_chatham_house else topic.delegation_id,
        tag=("discussion_topic", topic.id),
    )


def _discussion_post(post: TopicPost) -> Doc | None:
    if post.hidden_at is not None:
        return None
    topic = _get(Topic, post.topic_id)
    if topic is None:
        return None
    return Doc(
        TopicPost,
        post.id,
        topic.id,
        topic.room_id,
        post.created_at,
        "",
        plain(post.body),
        anchor=str(post.id),
        delegation_id=None if topic.is_chatham_house else post.delegation_id,
        tag=("discussion_topic", topic.id),
        heading=topic.title,
    )


def _meeting(meeting: Meeting) -> Doc:
    return Doc(
        Meeting,
        meeting.id,
        meeting.id,
        meeting.room_id,
        meeting.starts_at,
        meeting.title,
        join([meeting.symbol, meeting.venue]),
        tag=("meeting", meeting.id),
    )


def _agenda_item(item: AgendaItem) -> Doc | None:
    if item.removed_at is not None:
        return None
    meeting = _get(Meeting, item.meeting_id)
    if meeting is None:
        return None
    return Doc(
        AgendaItem,
        item.id,
        meeting.id,
        meeting.room_id,
        meeting.starts_at,
        f"{item.number}{item.letter and f'({item.letter})'}. {item.title}",
        join([plain(item.annotation), item.presenters]),
        anchor=str(item.id),
        tag=("agenda_item", item.id),
        heading=meeting.title,
    )


def _case_study(case: CaseStudy) -> Doc:
    sections = (case.context, case.challenge, case.measures, case.agencies, case.result)
    return Doc(
        CaseStudy,
        case.id,
        case.id,
        case.room_id,
        case.created_at,
        case.title,
        join([*(plain(s) for s in sections), plain(case.lessons)]),
        delegation_id=case.delegation_id if case.is_attributed else None,
        tag=("case_study", case.id),
    )


def _questionnaire(questionnaire: Questionnaire) -> Doc:
    return Doc(
        Questionnaire,
        questionnaire.id,
        questionnaire.id,
        questionnaire.room_id,
        questionnaire.created_at,
        questionnaire.title,
        plain(questionnaire.introduction),
        tag=("questionnaire", questionnaire.id),
    )


def _question(question: Question) -> Doc | None:
    questionnaire = _get(Questionnaire, question.questionnaire_id)
    if questionnaire is None:
        return None
    return Doc(
        Question,
        question.id,
        questionnaire.id,
        questionnaire.room_id,
        questionnaire.created_at,
        "",
        plain(question.text),
        tag=("questionnaire", questionnaire.id),
        heading=questionnaire.title,
    )


def _thread(thread: Thread) -> Doc:
    return Doc(
        Thread,
        thread.id,
        thread.id,
        thread.room_id,
        thread.created_at,
        thread.title,
        thread.case_reference or "",
        sealed=True,
    )


def _thread_post(post: Post) -> Doc | None:
    thread = _get(Thread, post.thread_id)
    if thread is None:
        return None
    return Doc(
        Post,
        post.id,
        thread.id,
        thread.room_id,
        post.created_at,
        "",
        plain(post.body),
        anchor=str(post.id),
        sealed=True,
    )


SOURCES: tuple[Source, ...] = (
    Source("room", Room, Room, _l("Room"), _room, ("title", "description")),
    Source(
        "paper",
        Paper,
        Paper,
        _l("Paper"),
        _paper,
        ("title", "symbol", "issued_by", "original_language", "submitted_by_delegation_id"),
        cascade=(
            ("revision", Revision.paper_id, ("title", "original_language", "room_id")),
            ("comment", Comment.paper_id, ("title", "is_chatham_house", "room_id")),
        ),
    ),
    Source("revision", Revision, Paper, _l("Paper text"), _revision, ()),
    Source(
        "comment",
        Comment,
        Comment,
        _l("Comment"),
        _comment,
        ("body", "proposed_text", "deleted_at", "hidden_at", "paragraph_key", "paper_id"),
    ),
    Source(
        "topic",
        Topic,
        Topic,
        _l("Discussion"),
        _topic,
        ("title", "is_chatham_house", "room_id"),
        cascade=(
            ("discussion_post", TopicPost.topic_id, ("title", "is_chatham_house", "room_id")),
        ),
    ),
    Source(
        "discussion_post",
        TopicPost,
        TopicPost,
        _l("Discussion post"),
        _discussion_post,
        ("body", "hidden_at", "topic_id"),
    ),
    Source(
        "meeting",
        Meeting,
        Meeting,
        _l("Meeting"),
        _meeting,
        ("title", "symbol", "venue", "starts_at", "room_id"),
        cascade=(("agenda_item", AgendaItem.meeting_id, ("title", "starts_at", "room_id")),),
    ),
    Source(
        "agenda_item",
        AgendaItem,
        AgendaItem,
        _l("Agenda item"),
        _agenda_item,
        ("title", "number", "letter", "annotation", "presenters", "removed_at"),
    ),
    Source(
        "case_study",
        CaseStudy,
        CaseStudy,
        _l("Case study"),
        _case_study,
        (
            "title",
            "context",
            "challenge",
            "measures",
            "agencies",
            "result",
            "lessons",
            "is_attributed",
            "room_id",
        ),
    ),
    Source(
        "questionnaire",
        Questionnaire,
        Questionnaire,
        _l("Questionnaire"),
        _questionnaire,
        ("title", "introduction", "room_id"),
        cascade=(("question", Question.questionnaire_id, ("title", "room_id", "created_at")),),
    ),
    Source("question", Question, Question, _l("Question"), _question, ("text",)),
    Source(
        "thread",
        Thread,
        Thread,
        _l("Confidential thread"),
        _thread,
        ("title", "case_reference", "room_id"),
        gated=True,
    ),
    Source("thread_post", Post, Post, _l("Confidential post"), _thread_post, ("body",), gated=True),
)

BY_KIND = {source.kind: source for source in SOURCES}
BY_MODEL = {source.model: source for source in SOURCES}
