"""The projector's screens: links by token, and the chair's choice of what they show.

`/screen/<token>` is a deliberately public view: it authorises by the screen link's token
(404 for a wrong or revoked one) and shows the screen and nothing else; everything else needs
a personal sign-in as always.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.extensions import db
from consult.handlers import Load, handler
from consult.htmx import redirect, render
from consult.meetings import screens
from consult.meetings.forms import ScreenLinkForm, ScreenModeForm
from consult.meetings.models import Meeting, ScreenLink, ScreenMode
from consult.papers.models import Paper
from consult.policy import Need

bp = Blueprint("screens", __name__)

# ---- the chair's screens page --------------------------------------------------------------


def _mode_form(meeting: Meeting, form: ScreenModeForm | None = None) -> ScreenModeForm:
    form = form or ScreenModeForm(formdata=None, mode=meeting.screen_mode.value)
    choices = [
        (f"{paper.id}:{key}", _("%(paper)s, paragraph %(n)s", paper=paper.title, n=label))
        for paper, paragraphs in screens.paragraph_choices(meeting, current_user)
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
        url = url_for("screens.screen_by_link", token=token, _external=True)
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
        return redirect(url_for("screens.screens_page", meeting_id=meeting.id))
    reasons = [*form.form_errors, *(e for f in form for e in f.errors)]
    flash(" ".join(str(r) for r in reasons), "error")
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
        return redirect(url_for("screens.screens_page", meeting_id=meeting.id))
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
