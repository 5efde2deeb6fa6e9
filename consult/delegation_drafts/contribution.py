"""The national contribution kind: a draft national working paper or presentation of national
experience for a room, submitted through `consult.papers.contributions.submit_contribution`
with all its checks (the room's chair then accepts or returns it as any other).

The draft keeps Markdown. A Word document uploaded with the draft (from the contribution form,
or on the draft's page) is converted to Markdown through the papers' importer when the draft is
saved, and the file itself is not kept; a document that cannot be read is refused next to the
upload and nothing is stored."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.delegation_drafts.forms import ContributionDraftForm
from consult.delegation_drafts.kinds import Kind
from consult.delegation_drafts.models import DelegationDraft
from consult.delegation_drafts.services import DraftError
from consult.links import path_for
from consult.papers import contributions
from consult.papers.docx_io import DocxError, docx_to_markdown
from consult.papers.models import LANGUAGES, PaperKind
from consult.papers.services import PaperError
from consult.rooms.models import Room
from consult.taxonomy import forms as tagging

NAME = "national_contribution"
#: As on the contribution form.
MAX_DOCX_BYTES = 4 * 1024 * 1024


def docx_text(upload: Any) -> str:
    """The Markdown of an uploaded .docx, or a refusal (said next to the upload)."""
    if hasattr(upload, "stream") and upload.stream.seekable():
        upload.stream.seek(0)  # a second reading of the same request (a refusal's re-run)
    data = upload.read(MAX_DOCX_BYTES + 1)
    if len(data) > MAX_DOCX_BYTES:
        raise DraftError(_("The document is larger than 4 MB."), "document")
    try:
        return docx_to_markdown(data)
    except DocxError as error:
        raise DraftError(error.message, "document") from None


def _describe(room: Room, key: str | None, fields: dict) -> str:
    return _(
        "National contribution “%(title)s” to %(room)s",
        title=fields.get("title", ""),
        room=room.title,
    )


def _check_target(room: Room, key: str | None, user: Any) -> None:
    """Only a delegation that may submit to the room prepares a contribution for it."""
    contributions.check_submitter(room, user)


def _closed_reason(room: Room, key: str | None, user: Any) -> str | None:
    try:
        contributions.check_submitter(room, user)
    except PaperError as error:
        return error.message
    return None


def _post(draft: DelegationDraft, room: Room, user: Any) -> str:
    fields = draft.fields or {}
    paper = contributions.submit_contribution(
        room,
        user,
        title=fields.get("title", ""),
        source=draft.body,
        kind=PaperKind(fields.get("kind") or PaperKind.NATIONAL_PAPER.value),
        # Checked again: a term the Secretariat retired since the draft was saved is refused.
        stages=fields.get("stages") or [],
        activities=fields.get("activities") or [],
        articles=fields.get("articles") or [],
        cosponsor_ids=fields.get("cosponsors") or [],
        origin=fields.get("origin") or "pasted",
        original_language=fields.get("original_language") or "en",
    )
    return path_for("papers.paper", paper_id=paper.id)


def _fields_from(form: ContributionDraftForm) -> dict:
    """The submission's other fields, checked as the contribution service checks them."""
    title = contributions.check_title(form.title.data or "")
    kinds = {k.value for k in contributions.CONTRIBUTION_KINDS}
    if form.kind.data not in kinds:
        raise DraftError(_("Choose a national working paper or a national experience."), "kind")
    if form.original_language.data not in LANGUAGES:
        raise DraftError(_("Choose the language it was written in."), "original_language")
    tags = tagging.tags_from(form)
    cosponsors = contributions.check_cosponsors(
        [i for i in (form.cosponsors.data or []) if i is not None], form.user.delegation
    )
    upload = form.document.data
    if upload is not None and getattr(upload, "filename", ""):
        origin = upload.filename[:200]
    else:
        origin = (form.origin.data or "").strip()[:200] or "pasted"
    return {
        "title": title,
        "kind": form.kind.data,
        "original_language": form.original_language.data,
        "stages": [t.id for t in tags.stages],
        "activities": [t.id for t in tags.activities],
        "articles": tags.articles,
        "cosponsors": [d.id for d in cosponsors],
        "origin": origin,
    }


def _fill(form: ContributionDraftForm, fields: dict) -> None:
    form.title.data = fields.get("title", "")
    form.kind.data = fields.get("kind", PaperKind.NATIONAL_PAPER.value)
    form.original_language.data = fields.get("original_language", "en")
    form.stages.data = [str(t) for t in fields.get("stages", [])]
    form.activities.data = [str(t) for t in fields.get("activities", [])]
    form.articles.data = [str(a) for a in fields.get("articles", [])]
    form.cosponsors.data = list(fields.get("cosponsors", []))
    form.origin.data = fields.get("origin", "pasted")


def _prepare(form: ContributionDraftForm, user: Any, room: Room | None) -> None:
    """The choices, as on the contribution form; what the checks need to know."""
    form.user = user
    form.kind.choices = [(k.value, k.label) for k in contributions.CONTRIBUTION_KINDS]
    form.original_language.choices = list(LANGUAGES.items())
    tagging.prepare(form)  # the stages and activities in use (the articles are fixed)
    form.cosponsors.choices = (
        [(d.id, d.name) for d in contributions.cosponsor_choices(room, user.delegation)]
        if room is not None
        else []
    )


KIND = Kind(
    name=NAME,
    label=_l("National contribution"),
    target_model=Room,
    room_of=lambda room: room,
    describe=_describe,
    check_target=_check_target,
    closed_reason=_closed_reason,
    post=_post,
    form=ContributionDraftForm,
    fields_from=_fields_from,
    fill=_fill,
    template="delegation_drafts/_contribution_fields.html",
    target_url=lambda room, key: path_for("contributions.submit", slug=room.slug),
    prepare=_prepare,
)
