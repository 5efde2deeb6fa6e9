"""The projector's screens (links by token, the chair's choice of screen), presence at the
desk and by the person, and the Secretariat's participation report.

`/screen/<token>` is a deliberately public view: it authorises by the screen link's token
(404 for a wrong or revoked one) and shows the screen and nothing else; everything else needs
a personal sign-in as always.
"""

from __future__ import annotations

from flask import abort, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import User
from consult.downloads import download
from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render, wants_fragment
from consult.meetings import presence, screens
from consult.meetings.forms import DeskPresenceForm, PresenceForm, ScreenLinkForm, ScreenModeForm
from consult.meetings.models import Meeting, Presence, ScreenLink, ScreenMode
from consult.meetings.routes import bp
from consult.papers.models import Paper
from consult.policy import Need, require

# ---- the chair's screens page --------------------------------------------------------------


def _mode_form(meeting: Meeting, form: ScreenModeForm | None = None) -> ScreenModeForm:
    form = form or ScreenModeForm(formdata=None, mode=meeting.screen_mode.value)
    choices = [
        (f"{paper.id}:{key}", _("%(paper)s, paragraph %(n)s", paper=paper.title, n=label))
        for paper, paragraphs in screens.paragraph_choices(meeting)
        for key, label in paragraphs
    ]
    form.paragraph.choices = choices
    if form.paragraph.data is None and meeting.screen_paper_id:
        form.paragraph.data = f"{meeting.screen_paper_id}:{meeting.screen_paragraph_key}"
    return form


def _screens_page(
    meeting: Meeting,
    status: int = 200,
    *,
    new_url: str | None = None,
    link_form: ScreenLinkForm | None = None,
    mode_form: ScreenModeForm | None = None,
):
    return render(
        "meetings/screens.html",
        meeting=meeting,
        links=screens.links_of(meeting),
        new_url=new_url,
        link_form=link_form or ScreenLinkForm(formdata=None),
        mode_form=_mode_form(meeting, mode_form),
        status=status,
    )


@bp.route("/meetings/<int:meeting_id>/screens")
@handler(meeting=Load(Meeting, Need.MANAGE))
def screens_page(meeting: Meeting):
    """The chair's screens: what they show, and the links that open them."""
    g.no_store = True
    return _screens_page(meeting)


@bp.route("/meetings/<int:meeting_id>/screens/links", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="label")
def new_screen_link(meeting: Meeting):
    form = ScreenLinkForm()
    if form.validate_on_submit():
        token = screens.new_link(meeting, current_user, form.label.data or "")
        g.no_store = True
        flash(_("The screen link is made. Open it on the projector's computer."), "success")
        url = url_for("meetings.screen_by_link", token=token, _external=True)
        return _screens_page(meeting, new_url=url)
    return _screens_page(meeting, 422, link_form=form)


@bp.route("/meetings/<int:meeting_id>/screens/links/<int:link_id>/revoke", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE))
def revoke_screen_link(meeting: Meeting, link_id: int):
    link = db.session.get(ScreenLink, link_id)
    if link is None or link.meeting_id != meeting.id:
        abort(404)
    form = ScreenLinkForm()
    if form.validate_on_submit():
        screens.revoke(link, current_user)
        flash(
            _(
                "The screen link is revoked: its screen goes dark now. Make a new link to "
                "show the meeting there again."
            ),
            "success",
        )
        return redirect(url_for("meetings.screens_page", meeting_id=meeting.id))
    flash(" ".join(str(e) for e in form.form_errors), "error")
    return _screens_page(meeting, 422)


@bp.route("/meetings/<int:meeting_id>/screens/mode", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="paragraph")
def screen_mode(meeting: Meeting):
    form = _mode_form(meeting, ScreenModeForm())
    if form.validate_on_submit():
        mode = ScreenMode(form.mode.data)
        paper, key = None, None
        if mode is ScreenMode.PARAGRAPH:
            paper_id, _sep, key = (form.paragraph.data or "").partition(":")
            paper = db.session.get(Paper, int(paper_id)) if paper_id.isdigit() else None
        screens.set_mode(meeting, current_user, mode, paper=paper, paragraph_key=key)
        flash(_("The screen now shows %(what)s.", what=mode.label.lower()), "success")
        return redirect(url_for("meetings.screens_page", meeting_id=meeting.id))
    return _screens_page(meeting, 422, mode_form=form)


# ---- the screen itself -----------------------------------------------------------------------


def _screen(meeting: Meeting, token: str | None):
    g.no_store = True
    return render(
        "meetings/projector.html",
        "meetings/_screen_panel.html",
        token=token,
        **screens.screen_context(meeting),
    )


@bp.route("/screen/<token>")
@handler(public=True)
def screen_by_link(token: str):
    """The projector's screen, by its link: no sign-in, nothing else reachable (404 for a
    wrong or revoked token, as for a page that does not exist)."""
    meeting = screens.meeting_for(token)
    if meeting is None:
        abort(404)
    return _screen(meeting, token)


@bp.route("/meetings/<int:meeting_id>/projector")
@handler(meeting=Load(Meeting))
def projector(meeting: Meeting):
    """The same projector screen for a signed-in person (a laptop on the podium)."""
    return _screen(meeting, None)


# ---- presence --------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/presence", methods=["POST"])
@handler(meeting=Load(Meeting), field="presence")
def my_presence(meeting: Meeting):
    """A delegate says where they follow the meeting from: in the room or remote."""
    form = PresenceForm()
    if form.validate_on_submit():
        chosen = Presence(form.presence.data)
        presence.mark(meeting, current_user, chosen, by=current_user)
        flash(_("You are marked: %(where)s.", where=chosen.label.lower()), "success")
    else:
        flash(_("Choose in the room or remote."), "error")
    if wants_fragment():
        from consult.meetings.routes import _floor_context

        return render(
            "meetings/live.html",
            "meetings/_floor_panel.html",
            status=200 if not form.errors else 422,
            **_floor_context(meeting),
        )
    return redirect(url_for("meetings.live", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@handler(meeting=Load(Meeting, Need.MANAGE), field="user")
def desk_presence(meeting: Meeting):
    """The desk marks someone in the room or remote, or records a person who follows without
    a device as present."""
    from consult.meetings.routes import _chair_done

    form = DeskPresenceForm()
    if form.validate_on_submit():
        person = db.session.get(User, form.user.data)
        if person is None:
            flash(_("Choose a person from the list."), "error")
            return _chair_done(meeting, 422)
        chosen = Presence(form.presence.data)
        presence.mark(meeting, person, chosen, by=current_user)
        flash(
            _("%(name)s is marked: %(where)s.", name=person.name, where=chosen.label.lower()),
            "success",
        )
        return _chair_done(meeting)
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    flash(" ".join(str(r) for r in reasons) or _("Choose a person from the list."), "error")
    return _chair_done(meeting, 422)


# ---- the participation report (the Secretariat's) ------------------------------------------


@bp.route("/participation")
@handler()
def participation():
    """Participation across meetings, by body, status and regional group (the Secretariat)."""
    require(Need.ADMINISTER)
    return render("meetings/participation.html", report=presence.participation(current_user))


@bp.route("/participation.csv")
@handler()
def participation_csv():
    require(Need.ADMINISTER)
    data = presence.report_csv(presence.participation(current_user))
    return download(data, "participation.csv", "text/csv; charset=utf-8")
