"""Pages under /assistance: requests and offers, the request's page (share, match, status),
the Secretariat's overview of unmet needs and the Voluntary Trust Fund's calls."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from consult import policy
from consult.assistance import services
from consult.assistance.forms import (
    CallForm,
    ConfirmForm,
    MatchForm,
    OfferForm,
    RequestForm,
    ShareForm,
)
from consult.assistance.models import (
    AssistanceOffer,
    AssistanceRequest,
    RequestStatus,
    TrustFundCall,
)
from consult.assistance.policy import delegation_sees_request
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.ids import parse_id
from consult.policy import Need, can
from consult.taxonomy import forms as tag_forms
from consult.taxonomy import services as taxonomy
from consult.timeutil import utcnow

bp = Blueprint("assistance", __name__, url_prefix="/assistance")


def today() -> date:
    """Today in the viewer's time zone (a call's deadline is a day)."""
    return to_user_timezone(utcnow()).date()


def _sees_calls() -> bool:
    """The Fund's calls are shown to States (who apply) and the Secretariat."""
    status = current_user.delegation.status
    return current_user.is_secretariat or status.is_state


@bp.route("")
@handler()
def index():
    """The requests and offers this person may see, and the Fund's open calls."""
    requests = services.visible_requests(current_user)
    mine = [r for r in requests if r.delegation_id == current_user.delegation_id]
    others = [
        r
        for r in requests
        if r.delegation_id != current_user.delegation_id and r.status is not RequestStatus.WITHDRAWN
    ]
    offers = services.visible_offers(current_user)
    my_offers = [o for o in offers if o.delegation_id == current_user.delegation_id]
    other_offers = [
        o for o in offers if o.delegation_id != current_user.delegation_id and not o.is_withdrawn
    ]
    day = today()
    return render(
        "assistance/index.html",
        mine=mine,
        others=others,
        my_offers=my_offers,
        other_offers=other_offers,
        may_file=can(Need.AUTHOR, services.blank_request(current_user)),
        may_offer=can(Need.AUTHOR, services.blank_offer(current_user)),
        calls=services.calls(day) if _sees_calls() else [],
        today=day,
    )


def _tags(form, subject=None):
    return tag_forms.tags_from(form, subject)


def _edit_form(form_class, item):
    """The edit form of a request or an offer, filled from it on a GET (both have the same
    terms: title, description, kinds of help, visibility, tags)."""
    form = form_class(obj=item if request.method == "GET" else None)
    tag_forms.prepare(form, item)
    if request.method == "GET":
        form.kinds.data = list(item.kinds or [])
        form.visibility.data = item.visibility.value
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
@handler(field="title")
def new_request():
    """File a request for assistance for one's delegation (States Parties and signatories)."""
    if not can(Need.AUTHOR, services.blank_request(current_user)):
        abort(404)
    form = RequestForm()
    tag_forms.prepare(form)
    if form.validate_on_submit():
        filed = services.file_request(
            current_user,
            title=form.title.data,
            description=form.description.data,
            kinds=form.kinds.data or [],
            visibility=form.visibility.data,
            tags=_tags(form),
        )
        flash(
            _("Your request is filed. The Secretariat will look for an offer to match it with."),
            "success",
        )
        return redirect(url_for("assistance.request_page", request_id=filed.id))
    status = 422 if form.is_submitted() else 200
    return render("assistance/request_form.html", form=form, assistance=None, status=status)


def _request_page(item: AssistanceRequest, status: int = 200, **forms):
    match = services.current_match(item)
    administers = can(Need.ADMINISTER, item)
    context = {
        "item": item,
        "tags": taxonomy.tags_of(item),
        "match": match,
        "matched_offers": services.matched_offers(match),
        "history": services.history(item),
        "forward": services.FORWARD.get(item.status),
        "back": services.BACK.get(item.status),
        "case_study_link": (
            services.case_study_link(item) if item.status is RequestStatus.COMPLETED else None
        ),
    }
    if administers:
        shares = services.shares(item)
        shared = {s.delegation_id for s in shares}
        share_form = forms.get("share_form") or ShareForm(formdata=None)
        share_form.delegation.choices = [
            (d.id, d.name) for d in services.donor_choices(item) if d.id not in shared
        ]
        context.update(shares=shares, share_form=share_form)
    context["confirm_form"] = ConfirmForm(formdata=None)
    return render("assistance/request.html", status=status, **context)


@bp.route("/requests/<int:request_id>")
@handler(item=Load(AssistanceRequest, arg="request_id"))
def request_page(item: AssistanceRequest):
    """One request: what is asked, its status and history; the Secretariat shares and
    matches it from here."""
    return _request_page(item)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@handler(item=Load(AssistanceRequest, Need.AUTHOR, arg="request_id"), field="title")
def edit_request(item: AssistanceRequest):
    """The filing delegation edits its request while it is open."""
    form = _edit_form(RequestForm, item)
    if form.validate_on_submit():
        services.edit_request(
            item,
            current_user,
            title=form.title.data,
            description=form.description.data,
            kinds=form.kinds.data or [],
            visibility=form.visibility.data,
            tags=_tags(form, item),
        )
        flash(_("The request is saved."), "success")
        return redirect(url_for("assistance.request_page", request_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render("assistance/request_form.html", form=form, assistance=item, status=status)


def _back_to_request(item: AssistanceRequest) -> str:
    return url_for("assistance.request_page", request_id=item.id)


@bp.route("/requests/<int:request_id>/withdraw", methods=["GET", "POST"])
@handler(item=Load(AssistanceRequest, Need.AUTHOR, arg="request_id"), refused=_back_to_request)
def withdraw_request(item: AssistanceRequest):
    """Withdraw an open request, after a confirmation (reopen undoes it)."""
    if request.method == "GET":
        return render(
            "assistance/confirm.html",
            heading=_("Withdraw the request “%(title)s”?", title=item.title),
            explanation=_(
                "Nobody but your delegation and the Secretariat will see it any more, and the "
                "Secretariat will not match it. You can reopen it from its page."
            ),
            action=url_for("assistance.withdraw_request", request_id=item.id),
            button=_("Withdraw the request"),
            cancel=_back_to_request(item),
            form=ConfirmForm(formdata=None),
        )
    services.withdraw(item, current_user)
    flash(_("The request is withdrawn. Reopen it below if that was a mistake."), "success")
    return redirect(_back_to_request(item))


@bp.route("/requests/<int:request_id>/reopen", methods=["POST"])
@handler(item=Load(AssistanceRequest, Need.AUTHOR, arg="request_id"), refused=_back_to_request)
def reopen_request(item: AssistanceRequest):
    services.reopen(item, current_user)
    flash(_("The request is open again."), "success")
    return redirect(_back_to_request(item))


@bp.route("/requests/<int:request_id>/status", methods=["GET", "POST"])
@handler(item=Load(AssistanceRequest, Need.MANAGE, arg="request_id"), refused=_back_to_request)
def move_request(item: AssistanceRequest):
    """Move the request one step forward or back, after a confirmation."""
    to = request.values.get("to", "")
    target = RequestStatus(to) if to in RequestStatus._value2member_map_ else None
    if request.method == "GET":
        if target is None or target not in (
            services.FORWARD.get(item.status),
            services.BACK.get(item.status),
        ):
            abort(404)
        ending = item.status is RequestStatus.MATCHED and target is RequestStatus.OPEN
        return render(
            "assistance/confirm.html",
            heading=_(
                "Move “%(title)s” to %(status)s?", title=item.title, status=target.label.lower()
            ),
            explanation=(
                _(
                    "The match ends and its room is closed (its members keep reading it). The "
                    "Secretariat can match the request again."
                )
                if ending
                else _("The move is recorded with your name; you can move it back one step.")
            ),
            action=url_for("assistance.move_request", request_id=item.id),
            button=_("Move to %(status)s", status=target.label.lower()),
            cancel=_back_to_request(item),
            form=ConfirmForm(formdata=None),
            to=target.value,
        )
    moved = services.move(item, current_user, to)
    flash(
        _(
            "The request is now %(status)s. You can move it back one step from its page.",
            status=moved.label.lower(),
        ),
        "success",
    )
    return redirect(_back_to_request(item))


@bp.route("/requests/<int:request_id>/shares", methods=["POST"])
@handler(item=Load(AssistanceRequest, Need.ADMINISTER, arg="request_id"), field="delegation")
def share_request(item: AssistanceRequest):
    """The Secretariat shares the request with a donor delegation."""
    form = ShareForm()
    form.delegation.choices = [(d.id, d.name) for d in services.donor_choices(item)]
    if form.validate_on_submit():
        row = services.share(item, current_user, form.delegation.data)
        flash(
            _("The request is shared with %(name)s.", name=row.delegation.name),
            "success",
        )
        return redirect(_back_to_request(item))
    return _request_page(item, status=422, share_form=form)


@bp.route("/requests/<int:request_id>/unshare", methods=["POST"])
@handler(item=Load(AssistanceRequest, Need.ADMINISTER, arg="request_id"), refused=_back_to_request)
def unshare_request(item: AssistanceRequest):
    """Stop sharing with a delegation (sharing again undoes it)."""
    delegation = services.unshare(item, current_user, parse_id(request.form.get("delegation")))
    flash(
        _(
            "%(name)s no longer sees the request (unless matched with it). Share it again to "
            "undo this.",
            name=delegation.name,
        ),
        "success",
    )
    return redirect(_back_to_request(item))


@bp.route("/requests/<int:request_id>/match", methods=["GET", "POST"])
@handler(item=Load(AssistanceRequest, Need.ADMINISTER, arg="request_id"), field="offers")
def match_request(item: AssistanceRequest):
    """The Secretariat matches the request with one or more offers: a private room opens."""
    choices = services.match_choices(item, current_user)
    form = MatchForm()
    form.offers.choices = [(o.id, f"{o.delegation.name}: {o.title}") for o in choices]
    if request.method == "GET" and (chosen := request.args.get("offer")):
        form.offers.data = [ident] if (ident := parse_id(chosen)) is not None else []
    if form.validate_on_submit():
        found = services.match(item, current_user, form.offers.data or [])
        flash(
            _(
                "The request is matched. Its parties are told and meet in the room %(room)s.",
                room=found.room.title,
            ),
            "success",
        )
        return redirect(url_for("rooms.room", slug=found.room.slug))
    status = 422 if form.is_submitted() else 200
    sees = {o.id: delegation_sees_request(o.delegation, item) for o in choices}
    return render(
        "assistance/match.html",
        item=item,
        form=form,
        offers=choices,
        sees=sees,
        tags=taxonomy.tags_of(item),
        status=status,
    )


# ---- offers --------------------------------------------------------------------------------


@bp.route("/offers/new", methods=["GET", "POST"])
@handler(field="title")
def new_offer():
    """Post an offer of assistance for one's delegation."""
    if not can(Need.AUTHOR, services.blank_offer(current_user)):
        abort(404)
    form = OfferForm()
    tag_forms.prepare(form)
    if form.validate_on_submit():
        offer = services.post_offer(
            current_user,
            title=form.title.data,
            description=form.description.data,
            kinds=form.kinds.data or [],
            visibility=form.visibility.data,
            tags=_tags(form),
        )
        flash(_("Your offer is posted."), "success")
        return redirect(url_for("assistance.offer_page", offer_id=offer.id))
    status = 422 if form.is_submitted() else 200
    return render("assistance/offer_form.html", form=form, offer=None, status=status)


@bp.route("/offers/<int:offer_id>")
@handler(offer=Load(AssistanceOffer))
def offer_page(offer: AssistanceOffer):
    return render(
        "assistance/offer.html",
        offer=offer,
        matches=services.matches_of(offer, current_user),
        tags=taxonomy.tags_of(offer),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@handler(offer=Load(AssistanceOffer, Need.AUTHOR), field="title")
def edit_offer(offer: AssistanceOffer):
    form = _edit_form(OfferForm, offer)
    if form.validate_on_submit():
        services.edit_offer(
            offer,
            current_user,
            title=form.title.data,
            description=form.description.data,
            kinds=form.kinds.data or [],
            visibility=form.visibility.data,
            tags=_tags(form, offer),
        )
        flash(_("The offer is saved."), "success")
        return redirect(url_for("assistance.offer_page", offer_id=offer.id))
    status = 422 if form.is_submitted() else 200
    return render("assistance/offer_form.html", form=form, offer=offer, status=status)


def _back_to_offer(offer: AssistanceOffer) -> str:
    return url_for("assistance.offer_page", offer_id=offer.id)


@bp.route("/offers/<int:offer_id>/withdraw", methods=["GET", "POST"])
@handler(offer=Load(AssistanceOffer, Need.AUTHOR), refused=_back_to_offer)
def withdraw_offer(offer: AssistanceOffer):
    if request.method == "GET":
        return render(
            "assistance/confirm.html",
            heading=_("Withdraw the offer “%(title)s”?", title=offer.title),
            explanation=_(
                "The Secretariat will not match it with new requests; rooms it already opened "
                "stay. You can reopen it from its page."
            ),
            action=url_for("assistance.withdraw_offer", offer_id=offer.id),
            button=_("Withdraw the offer"),
            cancel=_back_to_offer(offer),
            form=ConfirmForm(formdata=None),
        )
    services.set_offer_withdrawn(offer, current_user, True)
    flash(_("The offer is withdrawn. Reopen it below if that was a mistake."), "success")
    return redirect(_back_to_offer(offer))


@bp.route("/offers/<int:offer_id>/reopen", methods=["POST"])
@handler(offer=Load(AssistanceOffer, Need.AUTHOR), refused=_back_to_offer)
def reopen_offer(offer: AssistanceOffer):
    services.set_offer_withdrawn(offer, current_user, False)
    flash(_("The offer is open again."), "success")
    return redirect(_back_to_offer(offer))


# ---- the Secretariat -------------------------------------------------------------------------


@bp.route("/overview")
@handler()
def overview():
    """Unmet needs by regional group and stage (a table, and a chart of it), the requests
    waiting for a match, and the Fund's calls."""
    policy.require(Need.ADMINISTER)
    day = today()
    return render(
        "assistance/overview.html",
        figures=services.overview(),
        waiting=services.waiting_to_match(),
        calls=services.calls(day, include_closed=True),
        today=day,
    )


def _call_form_page(form: CallForm, call: TrustFundCall | None, status: int):
    return render("assistance/call_form.html", form=form, call=call, status=status)


@bp.route("/calls/new", methods=["GET", "POST"])
@handler(field="title")
def new_call():
    """The Secretariat records a call of the Voluntary Trust Fund."""
    policy.require(Need.ADMINISTER)
    form = CallForm()
    if form.validate_on_submit():
        call = services.record_call(
            current_user,
            title=form.title.data,
            opens_on=form.opens_on.data,
            deadline_on=form.deadline_on.data,
            link=form.link.data or "",
            notes=form.notes.data or "",
        )
        flash(_("The call %(title)s is recorded.", title=call.title), "success")
        return redirect(url_for("assistance.overview"))
    return _call_form_page(form, None, 422 if form.is_submitted() else 200)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@handler(field="title")
def edit_call(call_id: int):
    """The Secretariat corrects a call (404 to anyone else, as for its other pages)."""
    policy.require(Need.ADMINISTER)
    call = policy.load(TrustFundCall, call_id, Need.ADMINISTER)
    form = CallForm(obj=call if request.method == "GET" else None)
    if form.validate_on_submit():
        services.update_call(
            call,
            current_user,
            title=form.title.data,
            opens_on=form.opens_on.data,
            deadline_on=form.deadline_on.data,
            link=form.link.data or "",
            notes=form.notes.data or "",
        )
        flash(_("The call %(title)s is saved.", title=call.title), "success")
        return redirect(url_for("assistance.overview"))
    return _call_form_page(form, call, 422 if form.is_submitted() else 200)
