"""Case study pages: submitting, the case study (or its placeholder), review, withdrawal.

Every view goes through the handler layer (consult.handlers): it loads through the policy
(404 for whoever may not see it), acts through a service, and commits once.
"""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import dates, policy
from consult.case_studies import services
from consult.case_studies.forms import CaseStudyForm, ConfirmForm, ReturnForm
from consult.case_studies.models import SECTION_NAMES, CaseStudy, CaseStudyStatus
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.policy import Need, can
from consult.rooms import contents
from consult.rooms.models import AccessLevel, Room
from consult.taxonomy import forms as tag_forms
from consult.taxonomy import services as taxonomy

bp = Blueprint("case_studies", __name__)

#: The longest prefill taken from a link (the form refuses longer text when it is sent).
MAX_PREFILL = 20_000


# ---- the room's case studies -----------------------------------------------------------------


def room_section(room: Room, user):
    """The room page's "Case studies" section (none in a confidential room)."""
    if room.access is AccessLevel.CONFIDENTIAL:
        return None
    return "case_studies/_room_case_studies.html", _section(room, user)


def _section(room: Room, user) -> dict:
    return {
        "room": room,
        "case_studies": services.in_room(room, user),
        "may_submit": can(Need.TAKE_PART, room, user) and services.may_submit_as(user),
    }


@bp.route("/rooms/<slug>/case-studies")
@handler(room=Load(Room, by="slug"))
def room_case_studies(room: Room):
    """The room's case studies (the room page's section, as a page)."""
    contents.not_confidential(room)
    return render(
        "case_studies/room_case_studies.html",
        "case_studies/_room_case_studies.html",
        section=_section(room, current_user),
        room=room,
    )


# ---- submitting ------------------------------------------------------------------------------


def _draft(form: CaseStudyForm) -> services.Draft:
    return services.Draft(
        title=form.title.data or "",
        sections={name: getattr(form, name).data or "" for name in SECTION_NAMES},
        is_attributed=form.attribution.data != "unattributed",
        # A value that names nobody becomes an id nobody has: the service refuses it.
        contact_user_id=(parse_id(form.contact.data) or -1) if form.contact.data else None,
        contact_text=form.contact_text.data or "",
        stages=form.stages.data,
        activities=form.activities.data,
        articles=form.articles.data,
    )


def _prepared(form: CaseStudyForm, delegation_id: int, subject: CaseStudy | None):
    tag_forms.prepare(form, subject)
    form.contact.choices = [("", _("Nobody named"))] + [
        (str(p.id), p.name) for p in services.contact_choices(delegation_id)
    ]
    return form


def _prefill(form: CaseStudyForm) -> None:
    """What a link may prefill (a request for assistance that was met links here with its
    title, stages and context): taken as given, checked when the form is sent."""
    form.title.data = request.args.get("title", "")[:MAX_PREFILL]
    form.context.data = request.args.get("context", "")[:MAX_PREFILL]
    stages = [str(i) for i in services.ids_of(request.args.getlist("stages")[:50])]
    form.stages.data = stages


@bp.route("/rooms/<slug>/case-studies/new", methods=["GET", "POST"])
@handler(room=Load(Room, by="slug"), field="title")
def new(room: Room):
    """A delegation that takes part in the room submits a case study for review."""
    # Not found in a confidential room, whoever asks; then 403 for who may not take part.
    policy.authorise(contents.not_confidential(room), Need.TAKE_PART)
    form = _prepared(CaseStudyForm(), current_user.delegation_id, None)
    if request.method == "GET":
        _prefill(form)
    if form.validate_on_submit():
        case_study = services.submit(room, current_user, _draft(form))
        flash(
            _(
                "%(title)s is submitted. The chairs of %(room)s review it; until it is "
                "published only your delegation and the reviewers see it.",
                title=case_study.title,
                room=room.title,
            ),
            "success",
        )
        return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))
    return render(
        "case_studies/form.html",
        form=form,
        room=room,
        case_study=None,
        may_submit=services.may_submit_as(current_user),
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/case-studies/<int:case_study_id>/edit", methods=["GET", "POST"])
@handler(case_study=Load(CaseStudy, Need.AUTHOR), field="title")
def edit(case_study: CaseStudy):
    """The delegation revises its case study (waiting, returned or withdrawn) and submits it
    for review again."""
    room = policy.parent_of(case_study)
    form = _prepared(CaseStudyForm(), case_study.delegation_id, case_study)
    if request.method == "GET":
        form.title.data = case_study.title
        for name in SECTION_NAMES:
            getattr(form, name).data = getattr(case_study, name)
        form.attribution.data = "attributed" if case_study.is_attributed else "unattributed"
        form.contact.data = str(case_study.contact_user_id or "")
        form.contact_text.data = case_study.contact_text or ""
    if form.validate_on_submit():
        services.revise(case_study, current_user, _draft(form))
        flash(_("%(title)s is submitted for review again.", title=case_study.title), "success")
        return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))
    return render(
        "case_studies/form.html",
        form=form,
        room=room,
        case_study=case_study,
        may_submit=True,
        status=422 if form.is_submitted() else 200,
    )


# ---- the case study --------------------------------------------------------------------------


def _page(case_study: CaseStudy, status: int = 200, return_form: ReturnForm | None = None):
    room = policy.parent_of(case_study)
    # The text: published, to all who see it; waiting or returned, to its delegation and
    # the reviewers (a revision after a withdrawal is a placeholder for the room meanwhile).
    shows_text = case_study.status is CaseStudyStatus.PUBLISHED or (
        case_study.status is not CaseStudyStatus.WITHDRAWN
        and (can(Need.AUTHOR, case_study) or can(Need.DECIDE, case_study))
    )
    withdrawn_on = dates.day(case_study.withdrawn_at) if case_study.withdrawn_at else None
    return render(
        "case_studies/case_study.html",
        status=status,
        case_study=case_study,
        room=room,
        shows_text=shows_text,
        withdrawn_on=withdrawn_on,
        origin=services.origin(case_study),
        contact=services.contact_point(case_study) if shows_text else None,
        tags=taxonomy.tags_of(case_study),
        may_author=can(Need.AUTHOR, case_study),
        may_decide=can(Need.DECIDE, case_study),
        may_reinstate=services.may_reinstate(case_study),
        return_form=return_form or ReturnForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.route("/case-studies/<int:case_study_id>")
@handler(case_study=Load(CaseStudy))
def case_study(case_study: CaseStudy):
    return _page(case_study)


@bp.route("/case-studies/<int:case_study_id>/publish", methods=["POST"])
@handler(case_study=Load(CaseStudy, Need.DECIDE))
def publish(case_study: CaseStudy):
    """A reviewer publishes it to the room and the library."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(case_study, status=422)
    services.publish(case_study, current_user)
    flash(
        _("%(title)s is published in the room and the library.", title=case_study.title),
        "success",
    )
    return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))


@bp.route("/case-studies/<int:case_study_id>/return", methods=["POST"])
@handler(case_study=Load(CaseStudy, Need.DECIDE), field="reason")
def return_(case_study: CaseStudy):
    """A reviewer returns it to the delegation with a reason."""
    form = ReturnForm()
    if form.validate_on_submit():
        services.return_case_study(case_study, current_user, form.reason.data)
        flash(
            _("%(title)s is returned to its delegation with your reason.", title=case_study.title),
            "success",
        )
        return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))
    return _page(case_study, status=422, return_form=form)


@bp.route("/case-studies/<int:case_study_id>/withdraw", methods=["GET", "POST"])
@handler(case_study=Load(CaseStudy, Need.AUTHOR))
def withdraw(case_study: CaseStudy):
    """The delegation withdraws it, after a confirmation page that says what follows."""
    form = ConfirmForm()
    if form.validate_on_submit():
        services.withdraw(case_study, current_user)
        flash(
            _(
                "%(title)s is withdrawn: its text is no longer shown. Within %(days)d days you "
                "can reinstate it as it was; you can also revise it and submit it again.",
                title=case_study.title,
                days=services.REINSTATE_DAYS,
            )
            if case_study.is_public
            else _(
                "%(title)s is withdrawn; you can revise it and submit it again.",
                title=case_study.title,
            ),
            "success",
        )
        return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))
    return render(
        "case_studies/withdraw.html",
        case_study=case_study,
        room=policy.parent_of(case_study),
        form=form,
        reinstate_days=services.REINSTATE_DAYS,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/case-studies/<int:case_study_id>/reinstate", methods=["POST"])
@handler(case_study=Load(CaseStudy, Need.AUTHOR))
def reinstate(case_study: CaseStudy):
    """The delegation undoes its withdrawal (the published text comes back as it was)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(case_study, status=422)
    services.reinstate(case_study, current_user)
    flash(_("%(title)s is published again.", title=case_study.title), "success")
    return redirect(url_for("case_studies.case_study", case_study_id=case_study.id))
