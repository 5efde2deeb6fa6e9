"""Paper pages: issue, read, compare, comment, compile and export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import drafts
from consult.accounts.models import RegionalGroup
from consult.downloads import CSV_TYPE, DOCX_TYPE, MARKDOWN_TYPE, PDF_TYPE, download, file_name
from consult.exports.pdf import docx_to_pdf
from consult.extensions import db
from consult.groups.services import confirmed_clause
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.ids import parse_id, parse_int
from consult.papers import contributions, exports, services, versions
from consult.papers.comparison import ComparedBlock, compare_blocks, comparison_docx
from consult.papers.docx_io import RevisionDoc, docx_to_markdown, revision_docx
from consult.papers.forms import (
    CommentForm,
    DeclineForm,
    EditCommentForm,
    HideForm,
    PaperForm,
    ReattachForm,
    RevisionForm,
    StatusForm,
    TagsForm,
    VersionForm,
)
from consult.papers.models import (
    Comment,
    Paper,
    PaperKind,
    PaperStatus,
    Paragraph,
    Position,
    Revision,
    VersionParagraph,
)
from consult.papers.policy import comment_refusal, wrote_in_thread
from consult.policy import Need, can, parent_of
from consult.rooms.models import Room
from consult.taxonomy import forms as tagging
from consult.taxonomy.services import tags_of
from consult.timeutil import from_local, to_local

bp = Blueprint("papers", __name__)

MAX_DOCX_BYTES = 4 * 1024 * 1024


def _source_from(form) -> tuple[str, str]:
    """The pasted text or the uploaded .docx converted to Markdown; raises PaperError or
    DocxError (the handler shows either next to the view's field)."""
    upload = form.document.data
    if upload and getattr(upload, "filename", ""):
        data = upload.read(MAX_DOCX_BYTES + 1)
        if len(data) > MAX_DOCX_BYTES:
            raise services.PaperError(_("The document is larger than 4 MB."))
        return docx_to_markdown(data), upload.filename
    source = (form.source.data or "").strip()
    if not source:
        raise services.PaperError(_("Paste the text or upload a .docx document."))
    return source, "pasted"


# ---- issue and revise --------------------------------------------------------------------------


@bp.route("/rooms/<slug>/papers/new", methods=["GET", "POST"])
@handler(room=Load(Room, Need.MANAGE, by="slug"), field="source")
def new_paper(room: Room):
    form = PaperForm()
    tagging.prepare(form)
    people = services.named_members(room)
    form.facilitator.choices = [("", _("None"))] + [(str(u.id), u.name) for u in people]
    if form.validate_on_submit():
        tags = tagging.tags_from(form)
        facilitator = None
        if form.facilitator.data:
            facilitator = next((u for u in people if str(u.id) == form.facilitator.data), None)
            if facilitator is None:
                raise services.PaperError(
                    _("Choose the facilitator among the room's members."), "facilitator"
                )
        source, origin = _source_from(form)
        paper = services.create_paper(
            room,
            current_user,
            title=form.title.data,
            kind=PaperKind(form.kind.data),
            issued_by=form.issued_by.data,
            source=source,
            symbol=form.symbol.data,
            original_language=form.original_language.data,
            closes_at=from_local(form.closes_at.data, room.time_zone),
            is_chatham_house=form.is_chatham_house.data,
            origin=origin,
            tags=tags,
            facilitator=facilitator,
        )
        flash(
            _(
                "%(title)s is in drafting: only the room's chairs and facilitators and the "
                "paper's facilitator see it. Open it for comments when it is ready.",
                title=paper.title,
            ),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return render("papers/new.html", form=form, room=room, status=status)


@bp.route("/papers/<int:paper_id>/revise", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.REVISE), field="source")
def revise(paper: Paper):
    current = services.current_revision(paper)
    form = RevisionForm()
    if request.method == "GET":
        form.source.data = current.source
    if form.validate_on_submit():
        source, origin = _source_from(form)
        revision = services.revise(
            paper, current_user, source, origin=origin, note=form.note.data or ""
        )
        flash(
            _("%(rev)s is issued. Comments moved with their text.", rev=revision.label),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id))
    status = 422 if form.is_submitted() else 200
    return render("papers/revise.html", form=form, paper=paper, current=current, status=status)


@bp.route("/papers/<int:paper_id>/versions/new", methods=["GET", "POST"])
@handler(paper=Load(Paper, Need.REVISE), field="source")
def add_version(paper: Paper):
    """A revision's text in another of the consultation's languages, aligned paragraph for
    paragraph with it (whoever may issue the paper's revisions adds it)."""
    form = VersionForm()
    # The original is not offered (its revisions are that text); the service refuses it, and
    # a language the chosen revision already has, next to this field.
    form.language.choices = [
        (code, versions.language_label(code))
        for code in versions.version_languages()
        if code != paper.original_language
    ]
    form.revision.choices = versions.revision_choices(paper)
    if form.validate_on_submit():
        number = parse_int(form.revision.data or "", minimum=0)
        revision = next((r for r in services.revisions(paper) if r.number == number), None)
        if revision is None:
            raise services.PaperError(_("Choose one of this paper's revisions."), "revision")
        source, origin = _source_from(form)
        version = versions.add_version(
            paper,
            current_user,
            revision=revision,
            language=form.language.data or "",
            source=source,
            origin=origin,
        )
        flash(
            _(
                "The %(language)s version of %(rev)s is added: readers can switch to it, and "
                "comments show beside the same paragraphs.",
                language=versions.language_name(version.language),
                rev=revision.label,
            ),
            "success",
        )
        return redirect(url_for("papers.paper", paper_id=paper.id, lang=version.language))
    status = 422 if form.is_submitted() else 200
    return render(
        "papers/version_new.html",
        form=form,
        paper=paper,
        current=services.current_revision(paper),
        existing=versions.versions_of(paper),
        status=status,
    )


@bp.route("/papers/<int:paper_id>/status", methods=["POST"])
@handler(paper=Load(Paper, Need.MANAGE), field="status")
def set_status(paper: Paper):
    form = StatusForm()
    if form.validate_on_submit():
        services.set_status(
            paper,
            current_user,
            PaperStatus(form.status.data),
            from_local(form.closes_at.data, paper.room.time_zone),
        )
        flash(_("The paper's status and deadline are saved."), "success")
        return redirect(url_for("papers.paper", paper_id=paper.id))
    return _paper_page(paper, status=422, status_form=form)


@bp.route("/papers/<int:paper_id>/tags", methods=["POST"])
@handler(paper=Load(Paper, Need.MANAGE), field="stages")
def set_tags(paper: Paper):
    """The room's managers tag the paper with stages, activities and Treaty articles."""
    form = TagsForm()
    tagging.prepare(form, paper)
    if form.validate_on_submit():
        services.set_tags(paper, current_user, tagging.tags_from(form, paper))
        flash(_("The paper's stages, activities and articles are saved."), "success")
        return redirect(url_for("papers.paper", paper_id=paper.id) + "#tags-title")
    return _paper_page(paper, status=422, tags_form=form)


@bp.route("/papers/<int:paper_id>/authors-reply", methods=["POST"])
@handler(paper=Load(Paper, Need.MANAGE))
def set_authors_reply(paper: Paper):
    """Those who manage the paper let authors of earlier comments reply on their own threads
    (even once they no longer take part in the room), or switch it off."""
    value = request.form.get("value") == "1"
    services.set_authors_may_reply(paper, current_user, value)
    flash(
        _("Authors of earlier comments may reply on their own threads.")
        if value
        else _("Only those who take part in the room may reply now."),
        "success",
    )
    return redirect(url_for("papers.paper", paper_id=paper.id) + "#authors-reply-title")


@bp.route("/papers/<int:paper_id>/follow", methods=["POST"])
@handler(paper=Load(Paper))
def follow(paper: Paper):
    value = request.form.get("follow") == "1"
    services.follow(paper, current_user, value)
    flash(
        _("You follow this paper.") if value else _("You no longer follow this paper."), "success"
    )
    return redirect(url_for("papers.paper", paper_id=paper.id))


# ---- reading -----------------------------------------------------------------------------------


def _comment_form(paper: Paper, revision_number: int, **data) -> CommentForm:
    form = CommentForm(**data)
    form.on_behalf_of.choices = services.on_behalf_choices(current_user)
    if not form.is_submitted():
        form.revision.data = revision_number
    return form


def _reattach_form(paragraphs: list[Paragraph]) -> ReattachForm:
    """The chair's choice of a numbered paragraph of the current revision."""
    form = ReattachForm()
    form.key.choices = [(p.key, f"¶{p.number}") for p in paragraphs if not p.is_heading]
    return form


def _reading(paper: Paper) -> versions.Reading:
    """The language this page shows the paper in (`?lang=`, else the reader's interface
    language when the paper has a version in it, else the original); the page's links to
    the paper's paragraphs carry it (`templating.paragraph_url`)."""
    reading = versions.reading(paper, request.args.get("lang"), get_locale().language)
    g.paper_link_language = reading.link_language
    return reading


def _shown(reading: versions.Reading, paragraphs: list[Paragraph]) -> list:
    """The paragraphs shown: the version's (same keys and numbers), or the original's."""
    if reading.version is None:
        return paragraphs
    return versions.version_paragraphs(reading.version)


def _paper_page(paper: Paper, status: int = 200, **forms):
    contributions.load_details(paper)
    revision = services.current_revision(paper)
    paragraphs = services.paragraphs_of(revision)
    reading = _reading(paper)
    manages = can(Need.MANAGE, paper)
    status_form = forms.get("status_form") or StatusForm(
        status=paper.status.value, closes_at=to_local(paper.closes_at, paper.room.time_zone)
    )
    removed = services.removed_text_threads(paper, paragraphs, current_user)
    tags = tags_of(paper)
    tags_form = forms.get("tags_form")
    if tags_form is None and manages:
        tags_form = TagsForm(
            formdata=None,
            stages=[str(t.id) for t in tags.stages],
            activities=[str(t.id) for t in tags.activities],
            articles=[str(a) for a in tags.articles],
        )
        tagging.prepare(tags_form, paper)
    return render(
        "papers/paper.html",
        paper=paper,
        revision=revision,
        paragraphs=paragraphs,
        shown=_shown(reading, paragraphs),
        reading=reading,
        all_versions=versions.versions_of(paper),
        counts=services.comment_counts(paper, viewer=current_user),
        revisions=services.revisions(paper),
        manages=manages,
        may_revise=can(Need.REVISE, paper),
        status_form=status_form,
        tags=tags,
        tags_form=tags_form,
        removed=removed,
        reattach_form=_reattach_form(paragraphs),
        hide_form=HideForm(),
        closed_reason=services.comments_closed_reason(paper),
        may_quote=comment_refusal(current_user, paper) is None,
        following=services.is_following(paper, current_user),
        show_authors=can(Need.SEE_AUTHORS, paper),
        edits=services.edits_of([t.comment.id for t in _flatten(removed)]),
        kept_comments=drafts.offered_within("papers.post_comment", paper_id=paper.id),
        attribution=contributions.attribution(paper),
        is_author=can(Need.AUTHOR, paper),
        may_answer=can(Need.DECIDE, paper),
        status=status,
    )


def _flatten(threads):
    for thread in threads:
        yield thread
        yield from _flatten(thread.replies)


@bp.route("/papers/<int:paper_id>")
@handler(paper=Load(Paper))
def paper(paper: Paper):
    return _paper_page(paper)


def _paragraph_in_current(
    paper: Paper, key: str, reading: versions.Reading
) -> tuple[Paragraph, Revision, Paragraph | VersionParagraph]:
    """The current revision's paragraph of that key (comments hang on it), its revision, and
    the paragraph as shown in the language read. On a version of an older revision whose
    paragraph the current text no longer has, the comments' paragraph is the one the version
    translates; 404 for a key the text read does not have."""
    revision = services.current_revision(paper)
    paragraph = db.session.scalars(
        select(Paragraph).where(Paragraph.revision_id == revision.id, Paragraph.key == key)
    ).first()
    if reading.version is None:
        if paragraph is None:
            abort(404)
        return paragraph, revision, paragraph
    shown = db.session.scalars(
        select(VersionParagraph).where(
            VersionParagraph.version_id == reading.version.id, VersionParagraph.key == key
        )
    ).first()
    if shown is None:
        abort(404)
    if paragraph is None:
        paragraph = db.session.get(Paragraph, shown.paragraph_id)
    return paragraph, revision, shown


def _thread_context(
    paper: Paper,
    paragraph: Paragraph,
    revision,
    form=None,
    reading: versions.Reading | None = None,
    shown=None,
) -> dict:
    reading = reading or _reading(paper)
    threads = services.paragraph_threads(paper, paragraph.key, current_user)
    kept = None
    if form is None:
        kept = drafts.offered("papers.post_comment", paper_id=paper.id, key=paragraph.key)
        if kept is not None:
            form = _comment_form(paper, revision.number, formdata=None, data=kept.values)
            form.revision.data = revision.number
    return dict(
        paper=paper,
        paragraph=paragraph,
        shown=shown or paragraph,
        reading=reading,
        revision=revision,
        threads=threads,
        form=form or _comment_form(paper, revision.number, formdata=None),
        kept=kept,
        # A version of an older revision is read, not commented on: comments are on the
        # current text (the thread says so and links to it).
        may_comment=can(Need.TAKE_PART, paper) and not reading.is_outdated,
        closed_reason=services.comments_closed_reason(paper),
        refusal=comment_refusal(current_user, paper),
        manages=can(Need.MANAGE, paper),
        may_revise=can(Need.REVISE, paper),
        show_authors=can(Need.SEE_AUTHORS, paper),
        edits=services.edits_of([t.comment.id for t in _flatten(threads)]),
        hide_form=HideForm(),
        now=services.utcnow(),
        # htmx also refreshes the paragraph's "n comments" button (out of band).
        oob_count=wants_fragment(),
        count=services.comment_counts(paper, paragraph.key, current_user).get(paragraph.key, 0),
    )


@bp.route("/papers/<int:paper_id>/p/<key>")
@handler(paper=Load(Paper))
def paragraph(paper: Paper, key: str):
    """One paragraph with its comment threads, in the language read: a page, or the
    fragment htmx swaps in."""
    reading = _reading(paper)
    paragraph, revision, shown = _paragraph_in_current(paper, key, reading)
    context = _thread_context(paper, paragraph, revision, reading=reading, shown=shown)
    if request.args.get("block") and wants_fragment():
        # The paragraph's block as the page shows it, in the language read.
        return render(
            "papers/paragraph.html", "papers/_paragraph.html", **{**context, "paragraph": shown}
        )
    template = "papers/_thread.html" if wants_fragment() else None
    return render("papers/paragraph.html", template, **context)


@bp.route("/papers/<int:paper_id>/rev/<int:number>")
@handler(paper=Load(Paper))
def revision(paper: Paper, number: int):
    revision = next((r for r in services.revisions(paper) if r.number == number), None)
    if revision is None:
        abort(404)
    return render(
        "papers/revision.html",
        paper=paper,
        revision=revision,
        paragraphs=services.paragraphs_of(revision),
        revisions=services.revisions(paper),
    )


def _compared(paper: Paper) -> tuple[Revision, Revision, list[Revision]]:
    """The two revisions asked for (?from=&to=, by number; by default the last two): 404
    for a number the paper does not have."""
    all_revisions = services.revisions(paper)
    numbers = {r.number: r for r in all_revisions}
    try:
        old = numbers[int(request.args.get("from", max(0, len(all_revisions) - 2)))]
        new = numbers[int(request.args.get("to", len(all_revisions) - 1))]
    except (KeyError, ValueError):
        abort(404)
    return old, new, all_revisions


def _comparison(old: Revision, new: Revision) -> list[ComparedBlock]:
    return compare_blocks(services.paragraphs_of(old), services.paragraphs_of(new))


@bp.route("/papers/<int:paper_id>/compare")
@handler(paper=Load(Paper))
def compare(paper: Paper):
    """The redline between two revisions, rendered, with removed and moved text in place."""
    old, new, all_revisions = _compared(paper)
    return render(
        "papers/compare.html",
        paper=paper,
        old=old,
        new=new,
        blocks=_comparison(old, new),
        revisions=all_revisions,
    )


@bp.route("/papers/<int:paper_id>/compare.<any(docx, pdf):fmt>")
@handler(
    paper=Load(Paper),
    refused=lambda paper: url_for("papers.compare", paper_id=paper.id, **request.args),
)
def compare_export(paper: Paper, fmt: str):
    """The redline as Word with tracked changes, or as the PDF LibreOffice prints from it."""
    old, new, _revisions = _compared(paper)
    data = comparison_docx(
        paper,
        old,
        new,
        _comparison(old, new),
        body=paper.room.title,
        time_zone=paper.room.time_zone,
    )
    name = file_name(paper.symbol, f"paper-{paper.id}", old.label, new.label, "redline", suffix=fmt)
    if fmt == "pdf":
        return download(docx_to_pdf(data), name, PDF_TYPE)
    return download(data, name, DOCX_TYPE)


# ---- comments ----------------------------------------------------------------------------------


@bp.route("/papers/<int:paper_id>/p/<key>/comments", methods=["POST"])
@drafts.keepable(
    text=("body", "quote", "proposed_text"),
    extra=("position", "on_behalf_of", "parent_id"),
    page=lambda paper_id, key: url_for(
        "papers.paragraph", paper_id=paper_id, key=key, lang=request.args.get("lang")
    ),
    target=lambda paper_id, key: db.session.get(Paper, paper_id),
)
@handler(paper=Load(Paper), field="body")
def post_comment(paper: Paper, key: str):
    """A new comment (`TAKE_PART` on the paper) or a reply (`REPLY` on the comment answered:
    also the authors of earlier comments in its thread, who may no longer take part). Made
    on a version, it records the version's language (`?lang=` of the form's address)."""
    reading = _reading(paper)
    revision = services.current_revision(paper)
    paragraph = db.session.scalars(
        select(Paragraph).where(Paragraph.revision_id == revision.id, Paragraph.key == key)
    ).first()
    shown = paragraph
    if paragraph is not None and reading.version is not None and not reading.is_outdated:
        shown = _paragraph_in_current(paper, key, reading)[2]
    form = _comment_form(paper, revision.number)
    parent, lapsed = None, None
    if form.parent_id.data:
        ident = parse_id(form.parent_id.data)
        parent = db.session.get(Comment, ident) if ident else None
        if parent is None or not can(Need.VIEW, parent):
            abort(404)
        lapsed = _reply_lapsed(paper, parent)
    elif not can(Need.TAKE_PART, paper):
        abort(403)
    if form.validate_on_submit():
        if parent is not None and lapsed:
            raise services.PaperError(lapsed, "body")
        if paragraph is None or form.revision.data != revision.number:
            raise services.PaperError(
                _(
                    "%(rev)s was issued while you were writing. Your comment was not stored; "
                    "it is still here: check the paragraph and post it again.",
                    rev=revision.label,
                )
            )
        posted = services.post_comment(
            paper,
            current_user,
            paragraph=paragraph,
            body=form.body.data,
            on_behalf_of=form.on_behalf_of.data,
            quote=form.quote.data,
            proposed_text=form.proposed_text.data,
            position=_position(form.position.data),
            parent=parent,
            language=reading.language,
        )
        drafts.forget("papers.post_comment", paper_id=paper.id, key=key)
        if wants_fragment():
            return render(
                "papers/paragraph.html",
                "papers/_thread.html",
                posted=posted,
                **_thread_context(paper, paragraph, revision, reading=reading, shown=shown),
            )
        flash(_("Your comment is posted."), "success")
        return redirect(
            url_for("papers.paper", paper_id=paper.id, lang=reading.link_language) + f"#para-{key}"
        )
    if parent is not None and (parent.paper_id != paper.id or parent.paragraph_key != key):
        form.parent_id.data = ""  # show the message on the paragraph's own form
    for name, errors in form.errors.items():
        # Each message stands next to its own field; those of fields the person does not see
        # (revision, reply target) next to the text they wrote.
        if name not in ("body", "on_behalf_of", "quote", "proposed_text", "position"):
            form.body.errors = [*form.body.errors, *errors]
    if paragraph is None:
        # The paragraph left the text: keep what was written, on the paper page.
        flash(
            _("That paragraph is not in the current revision; your comment was not stored."),
            "error",
        )
        return _paper_page(paper, status=422)
    form.revision.data = revision.number
    context = _thread_context(paper, paragraph, revision, form=form, reading=reading, shown=shown)
    return render(
        "papers/paragraph.html", "papers/_thread.html", status=422, lapsed=lapsed, **context
    )


def _reply_lapsed(paper: Paper, parent: Comment) -> str | None:
    """Authorise a reply to `parent` (`Need.REPLY`): None when allowed. An author of the
    thread whose right has just lapsed (the deadline passed, the paper closed, the chair
    switched replies off) gets the reason, shown next to the text, which is handed back;
    anyone else without the right is refused (403)."""
    if can(Need.REPLY, parent):
        return None
    if can(Need.TAKE_PART, paper) or not wrote_in_thread(current_user, parent):
        abort(403)
    if paper.room.is_archived:
        return _("This room is archived: its papers take no more comments.")
    reason = services.comments_closed_reason(paper)
    if reason is None and not paper.authors_may_reply:
        reason = _("The chair has switched off replies from those who no longer take part.")
    return reason or _("You may not reply here.")


def _position(value: str | None) -> Position | None:
    if not value:
        return None
    try:
        return Position(value)
    except ValueError:
        raise services.PaperError(_("Choose a position from the list."), "position") from None


def _first_error(form) -> str:
    """The first reason a form gave (for the actions whose form has no field on the page)."""
    for errors in [form.form_errors, *form.errors.values()]:
        for error in errors:
            return str(error)
    return ""


def _back_to_thread(paper: Paper, comment: Comment, status: int = 200, **extra):
    revision = services.current_revision(paper)
    paragraph = db.session.scalars(
        select(Paragraph).where(
            Paragraph.revision_id == revision.id, Paragraph.key == comment.paragraph_key
        )
    ).first()
    reading = _reading(paper)
    if wants_fragment() and paragraph is not None:
        shown = paragraph
        if reading.version is not None and not reading.is_outdated:
            shown = _paragraph_in_current(paper, paragraph.key, reading)[2]
        return render(
            "papers/paragraph.html",
            "papers/_thread.html",
            status=status,
            **_thread_context(paper, paragraph, revision, reading=reading, shown=shown),
            **extra,
        )
    return redirect(
        url_for("papers.paper", paper_id=paper.id, lang=reading.link_language)
        + (f"#para-{paragraph.key}" if paragraph else "#removed")
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@handler(comment=Load(Comment, Need.AUTHOR), field="body")
def edit_comment(comment: Comment):
    if not can(Need.TAKE_PART, comment):
        abort(403)  # the author, but no longer taking part in the room
    paper = parent_of(comment)
    form = EditCommentForm(obj=comment)
    if form.validate_on_submit():
        services.edit_comment(comment, current_user, form.body.data, form.proposed_text.data)
        return _back_to_thread(paper, comment)
    status = 422 if form.is_submitted() else 200
    return render(
        "papers/edit_comment.html", form=form, comment=comment, paper=paper, status=status
    )


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@handler(comment=Load(Comment, Need.AUTHOR))
def delete_comment(comment: Comment):
    services.delete_comment(comment, current_user)
    return _back_to_thread(parent_of(comment), comment)


@bp.route("/comments/<int:comment_id>/confirm", methods=["POST"])
@handler(comment=Load(Comment, Need.CONFIRM))
def confirm_comment(comment: Comment):
    """The group's coordinator confirms a comment made on the group's behalf."""
    services.confirm_comment(comment, current_user)
    if not wants_fragment():
        flash(_("Confirmed: everyone who sees the paper now sees the comment."), "success")
    return _back_to_thread(parent_of(comment), comment)


@bp.route("/comments/<int:comment_id>/decline", methods=["POST"])
@handler(comment=Load(Comment, Need.CONFIRM), field="reason")
def decline_comment(comment: Comment):
    """The coordinator declines; the author is told and may post it as their delegation."""
    paper = parent_of(comment)
    form = DeclineForm()
    if form.validate_on_submit():
        services.decline_comment(comment, current_user, form.reason.data)
        if not wants_fragment():
            flash(_("Declined; the author is told."), "success")
        return _back_to_thread(paper, comment)
    if not wants_fragment():
        flash(_first_error(form), "error")
    # The thread again, with the reason next to the field and what was typed kept.
    return _back_to_thread(
        paper, comment, 422, decline_refusal={comment.id: (_first_error(form), form.reason.data)}
    )


@bp.route("/comments/<int:comment_id>/as-delegation", methods=["POST"])
@handler(comment=Load(Comment, Need.AUTHOR))
def speak_as_delegation(comment: Comment):
    """The author posts their pending (or declined) comment as their own delegation."""
    services.speak_as_delegation(comment, current_user)
    if not wants_fragment():
        flash(_("Your comment is posted for your delegation."), "success")
    return _back_to_thread(parent_of(comment), comment)


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
@handler(comment=Load(Comment, Need.MANAGE), field="reason")
def hide_comment(comment: Comment):
    paper = parent_of(comment)
    form = HideForm()
    if form.validate_on_submit():
        services.hide_comment(comment, current_user, form.reason.data)
        return _back_to_thread(paper, comment)
    flash(_first_error(form), "error")
    return _back_to_thread(paper, comment, 422)


@bp.route("/comments/<int:comment_id>/unhide", methods=["POST"])
@handler(comment=Load(Comment, Need.MANAGE))
def unhide_comment(comment: Comment):
    services.unhide_comment(comment, current_user)
    return _back_to_thread(parent_of(comment), comment)


@bp.route("/comments/<int:comment_id>/taken", methods=["POST"])
@handler(comment=Load(Comment, Need.MANAGE))
def taken_into_account(comment: Comment):
    paper = parent_of(comment)
    services.set_taken_into_account(comment, current_user, request.form.get("value") == "1")
    if request.form.get("back") == "compilation":
        return redirect(url_for("papers.compilation", paper_id=paper.id, **request.args))
    return _back_to_thread(paper, comment)


@bp.route("/comments/<int:comment_id>/reattach", methods=["POST"])
@handler(comment=Load(Comment, Need.MANAGE), field="key")
def reattach(comment: Comment):
    paper = parent_of(comment)
    paragraphs = services.paragraphs_of(services.current_revision(paper))
    form = _reattach_form(paragraphs)
    if form.validate_on_submit():
        paragraph = next(p for p in paragraphs if p.key == form.key.data)
        services.reattach(comment, current_user, paragraph)
        flash(_("The comment now sits on ¶%(n)s.", n=paragraph.number), "success")
        return redirect(url_for("papers.paper", paper_id=paper.id) + f"#para-{paragraph.key}")
    flash(_first_error(form), "error")
    return _paper_page(paper, status=422)


# ---- the chair's compilation and exports -------------------------------------------------------


def _filters() -> services.CompilationFilters:
    def flag(name: str) -> bool:
        return request.args.get(name) == "1"

    taken = request.args.get("taken")
    delegation = request.args.get("delegation", "")
    return services.CompilationFilters(
        unanswered=flag("unanswered"),
        proposed_text=flag("proposed"),
        delegation_id=parse_id(delegation),
        regional_group=request.args.get("group") or None,
        position=request.args.get("position") or None,
        taken_into_account=None if taken not in ("0", "1") else taken == "1",
        office_replies=flag("replies"),
    )


def _compilation(paper: Paper) -> exports.Compilation:
    by = "delegation" if request.args.get("by") == "delegation" else "paragraph"
    attributed = not paper.is_chatham_house
    return services.compile_comments(paper, by=by, attributed=attributed, filters=_filters())


@bp.route("/papers/<int:paper_id>/compilation")
@handler(paper=Load(Paper, Need.MANAGE))
def compilation(paper: Paper):
    return render(
        "papers/compilation.html",
        "papers/_compilation.html",
        paper=paper,
        compilation=_compilation(paper),
        delegations=services.delegations_in(paper),
        groups=list(RegionalGroup),
        positions=list(Position),
        args=request.args,
        comment_ids=_compilation_comment_ids(paper),
    )


def _compilation_comment_ids(paper: Paper) -> dict:
    return {
        c.id: c
        for c in db.session.scalars(
            select(Comment).where(Comment.paper_id == paper.id, confirmed_clause(Comment))
        )
    }


@bp.route("/papers/<int:paper_id>/compilation.<any(docx, pdf, csv, md):fmt>")
@handler(
    paper=Load(Paper, Need.MANAGE),
    refused=lambda paper: url_for("papers.compilation", paper_id=paper.id, **request.args),
)
def compilation_export(paper: Paper, fmt: str):
    """The compilation as the page shows it (same filters), named after the paper's symbol."""
    data = _compilation(paper)
    name = file_name(
        paper.symbol, f"paper-{paper.id}", data.revision_label, _("compilation"), suffix=fmt
    )
    if fmt == "docx":
        return download(exports.compilation_docx(data), name, DOCX_TYPE)
    if fmt == "pdf":
        return download(docx_to_pdf(exports.compilation_docx(data)), name, PDF_TYPE)
    if fmt == "csv":
        return download(exports.compilation_csv(data), name, CSV_TYPE)
    return download(exports.compilation_markdown(data).encode(), name, MARKDOWN_TYPE)


@bp.route("/papers/<int:paper_id>/rev/<int:number>.docx")
@handler(paper=Load(Paper))
def revision_export(paper: Paper, number: int):
    """A revision as Word; `?lang=` a language version of it (404 when it has none)."""
    revision = next((r for r in services.revisions(paper) if r.number == number), None)
    if revision is None:
        abort(404)
    language = request.args.get("lang") or paper.original_language
    if language == paper.original_language:
        paragraphs: list = services.paragraphs_of(revision)
    else:
        version = next(
            (
                v
                for v in versions.versions_of(paper)
                if v.revision_id == revision.id and v.language == language
            ),
            None,
        )
        if version is None:
            abort(404)
        paragraphs = versions.version_paragraphs(version)
    doc = RevisionDoc(
        symbol=paper.symbol,
        title=paper.title,
        revision_label=revision.label,
        issued_by=paper.issued_by or paper.room.title,
        blocks=[(p.number, "heading" if p.is_heading else "paragraph", p.text) for p in paragraphs],
        issued_at=revision.created_at,
        language=language,
        time_zone=paper.room.time_zone,
        kind=paper.kind.label,
    )
    suffix = [] if language == paper.original_language else [language.upper()]
    name = file_name(paper.symbol, f"paper-{paper.id}", revision.label, *suffix, suffix="docx")
    return download(revision_docx(doc), name, DOCX_TYPE)
