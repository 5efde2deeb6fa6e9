"""Signing in and out, links by e-mail, the profile page, two-factor and handover."""

from __future__ import annotations

import base64
import io
import time

import qrcode
import qrcode.image.svg
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from consult import audit, i18n
from consult.accounts import handover, holdings, services, sessions
from consult.accounts.forms import (
    ChangePasswordForm,
    ConfirmPasswordForm,
    EnableTwoFactorForm,
    HandoverForm,
    NewPasswordForm,
    ProfileForm,
    ReauthForm,
    RequestResetForm,
    SecondFactorForm,
    SignInForm,
)
from consult.accounts.models import Delegation, SignedInSession, TokenPurpose, User
from consult.audit import client_address
from consult.extensions import db, login_manager
from consult.handlers import Load, handler
from consult.htmx import render
from consult.links import local_path
from consult.policy import Need, can

bp = Blueprint("accounts", __name__)

PENDING_SECONDS = 300


def _account(ident: str, nonce: str) -> User | None:
    """The account behind "id:nonce", while that nonce is current and the account may sign in."""
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_nonce != nonce or not user.may_sign_in:
        return None
    return user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Session and remember-me cookies carry "id:nonce:key" (User.get_id): a changed nonce, a
    disabled account or an ended signed-in session refuses them."""
    ident, nonce, key = (user_id.split(":") + ["", ""])[:3]
    user = _account(ident, nonce)
    if user is None or sessions.live_row(user, key) is None:
        return None
    return user


def _pending_id(user: User) -> str:
    return f"{user.id}:{user.session_nonce}"


def _safe_next(target: str | None, default: str | None = None) -> str:
    return local_path(target) or default or url_for("core.dashboard")


def _start_session(user: User, remember: bool, method: str) -> None:
    session.clear()  # no fixation: a fresh session for a fresh sign-in
    sessions.begin(user)  # first: the id Flask-Login stores names this session's row
    login_user(user, remember=remember)
    session.permanent = True
    if method.startswith("password and"):
        # Confidential rooms need a session opened with the second factor, and recently.
        session["second_factor_at"] = time.time()
    services.signed_in(user, method=method)
    if user.language is None and (chosen := i18n.chosen_here()):
        # The language picked on the sign-in page becomes the profile's.
        services.update_profile(user, language=chosen)


@bp.route("/sign-in", methods=["GET", "POST"])
@handler(public=True)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = SignInForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user, refusal = services.authenticate(form.email.data, form.password.data, client_address())
        if user is None:  # the failed attempt is committed with the request: throttling counts it
            form.refuse(refusal, "password")
            return render("accounts/sign_in.html", form=form, next=next_url, status=422)
        if user.has_two_factor:
            session.clear()
            session["pending_user"] = _pending_id(user)
            session["pending_remember"] = bool(form.remember.data)
            session["pending_since"] = int(time.time())
            session["pending_next"] = _safe_next(next_url)
            return redirect(url_for("accounts.second_factor"))
        _start_session(user, bool(form.remember.data), "password")
        return redirect(_safe_next(next_url))
    status = 422 if form.is_submitted() else 200
    return render("accounts/sign_in.html", form=form, next=next_url, status=status)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@handler(public=True)
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    pending = session.get("pending_user") or ""
    since = session.get("pending_since", 0)
    user = _account(*(pending.split(":") + [""])[:2])
    if user is None or time.time() - since > PENDING_SECONDS:
        session.clear()
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        wait = services.throttle_wait(user.email, client_address())
        if wait:
            form.refuse(
                _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=wait),
                "code",
            )
            return render("accounts/second_factor.html", form=form, status=429)
        method = services.check_second_factor(user, form.code.data)
        services.record_attempt(
            user.email, client_address(), succeeded=bool(method), step="two_factor"
        )
        if not method:
            audit.record(
                "auth.two_factor_failed",
                f"Wrong second factor for {user.email}",
                actor_label=user.email,
                subject=user,
            )
            form.refuse(_second_factor_refusal(user, form.code.data), "code")
            return render("accounts/second_factor.html", form=form, status=422)
        remember = session.get("pending_remember", False)
        next_url = session.get("pending_next")
        _start_session(user, remember, f"password and {method}")
        if method == "recovery code":
            flash(
                _(
                    "You signed in with a recovery code. %(n)d remain; make new ones on your "
                    "profile if you are running out.",
                    n=services.remaining_recovery_codes(user),
                ),
                "warning",
            )
        return redirect(_safe_next(next_url))
    status = 422 if form.is_submitted() else 200
    return render("accounts/second_factor.html", form=form, status=status)


def _second_factor_refusal(user: User, code: str) -> str:
    """Why a code was refused: a code replayed from the authenticator (typed twice, or used
    a moment ago to turn two-factor on) gets its own message."""
    if services.code_was_just_used(user, code):
        return _("This code was just used; wait for the next one.")
    return _("That code is not right, or it has been used already.")


@bp.route("/sign-in/again", methods=["GET", "POST"])
@handler()
def reauthenticate():
    """A fresh password and second factor, asked before confidential rooms after idle time."""
    if not current_user.has_two_factor:
        flash(_("Confidential rooms need two-factor sign-in. Turn it on first."), "info")
        return redirect(_two_factor_setup_url(request.args.get("next")))
    form = ReauthForm()
    if form.validate_on_submit():
        wait = services.throttle_wait(current_user.email, client_address())
        ok = not wait and services.check_password(current_user, form.password.data)
        method = services.check_second_factor(current_user, form.code.data) if ok else None
        services.record_attempt(
            current_user.email, client_address(), succeeded=bool(method), step="reauthenticate"
        )
        if method:
            session["second_factor_at"] = time.time()
            audit.record("auth.reauthenticated", f"{current_user.name} signed in again ({method})")
            return redirect(_safe_next(request.args.get("next")))
        if wait:
            message = _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=wait)
        elif ok:
            message = _second_factor_refusal(current_user, form.code.data)
        else:
            message = _("That password and code do not match.")
        form.refuse(message, "code")  # the failed attempt is committed: throttling counts it
    status = 422 if form.is_submitted() else 200
    return render("accounts/reauthenticate.html", form=form, status=status)


@bp.route("/sign-out", methods=["POST"])
@handler()
def sign_out():
    audit.record("auth.sign_out", f"{current_user.name} signed out")
    row = sessions.current_row()
    if row is not None:
        sessions.end(row)  # a copy of this browser's cookies is refused from now on
    sessions.forget_here()
    flash(_("You have signed out."), "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@handler(public=True)
def forgot_password():
    form = RequestResetForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        flash(
            _(
                "If that address belongs to an account, a link to reset its password is on its "
                "way. It works once, for %(hours)d hours.",
                hours=current_app.config["RESET_TOKEN_HOURS"],
            ),
            "info",
        )
        return redirect(url_for("accounts.sign_in"))
    status = 422 if form.is_submitted() else 200
    return render("accounts/forgot_password.html", form=form, status=status)


def _token_or_gone(token: str, purpose: TokenPurpose):
    row = services.valid_token(token, purpose)
    if row is None:
        return None
    return row


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@handler(public=True)
def reset_password(token: str):
    row = _token_or_gone(token, TokenPurpose.RESET)
    if row is None:
        return render("accounts/link_expired.html", status=410)
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.use_reset_token(row, form.password.data)
        flash(
            _("Your password was changed. Every other session was signed out. Please sign in."),
            "success",
        )
        return redirect(url_for("accounts.sign_in"))
    status = 422 if form.is_submitted() else 200
    return render("accounts/reset_password.html", form=form, status=status)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@handler(public=True)
def accept_invitation(token: str):
    row = _token_or_gone(token, TokenPurpose.INVITATION)
    if row is None or not row.user.is_active:
        return render("accounts/link_expired.html", status=410)
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = services.accept_invitation(row, form.password.data)
        _start_session(user, False, "invitation")
        flash(_("Welcome to consult. Check your details below."), "success")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.is_submitted() else 200
    return render("accounts/accept_invitation.html", form=form, invited=row.user, status=status)


# ---- profile --------------------------------------------------------------------------------


def _profile_page(status: int = 200, **forms):
    user = current_user
    forms.setdefault("profile_form", ProfileForm(obj=user))
    forms.setdefault("password_form", ChangePasswordForm())
    forms.setdefault("disable_form", ConfirmPasswordForm())
    return render(
        "accounts/profile.html",
        user=user,
        sessions=sessions.of(user),
        this_session=sessions.current_row(),
        recovery_left=services.remaining_recovery_codes(user) if user.has_two_factor else 0,
        status=status,
        **forms,
    )


@bp.route("/profile", methods=["GET", "POST"])
@handler()
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "POST":
        if form.validate_on_submit():
            services.update_profile(
                current_user,
                name=form.name.data.strip(),
                title=form.title.data.strip(),
                agency=form.agency.data.strip(),
                time_zone=form.time_zone.data,
                language=form.language.data or None,
            )
            flash(_("Your details were saved."), "success")
            return redirect(url_for("accounts.profile"))
        return _profile_page(422, profile_form=form)
    return _profile_page()


@bp.route("/profile/password", methods=["POST"])
@handler()
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.change_password(
            user, form.current.data, form.password.data, keep=sessions.current_row()
        )
        # Keep this session (and its remember-me cookie, if it had one) under the new nonce;
        # every other one has ended.
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        login_user(user, remember=remembered in request.cookies)
        flash(_("Your password was changed. Your other sessions were signed out."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(422, password_form=form)


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _two_factor_setup_url(next_url: str | None) -> str:
    """The setup page, coming back to `next_url` (a path on this site) once it is done."""
    return url_for("accounts.two_factor_setup", next=local_path(next_url))


@bp.route("/profile/two-factor", methods=["GET", "POST"])
@handler()
def two_factor_setup():
    next_url = _safe_next(request.args.get("next"), default=url_for("accounts.profile"))
    if current_user.has_two_factor:
        return redirect(next_url)
    secret = session.get("totp_setup_secret")
    if request.method == "GET" or not secret:
        secret = services.new_totp_secret()
        session["totp_setup_secret"] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        wait = services.throttle_wait(current_user.email, client_address())
        ok = not wait and services.check_password(current_user, form.password.data)
        if not ok:
            # Committed with the request (no refusal raised): throttling counts it.
            services.record_attempt(
                current_user.email, client_address(), succeeded=False, step="two_factor_setup"
            )
            form.refuse(
                _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=wait)
                if wait
                else _("That is not your password."),
                "password",
            )
        else:
            codes = services.enable_two_factor(current_user, secret, form.code.data)
            session.pop("totp_setup_secret", None)
            # Password and a code from the app, just now: the same proof as signing in
            # again, so confidential rooms open without asking for it a second time.
            session["second_factor_at"] = time.time()
            return render("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    uri = services.provisioning_uri(current_user, secret)
    status = 422 if form.is_submitted() else 200
    return render(
        "accounts/two_factor_setup.html",
        form=form,
        secret=secret,
        qr=_qr_data_uri(uri),
        status=status,
    )


@bp.route("/profile/two-factor/disable", methods=["POST"])
@handler()
def two_factor_disable():
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        services.confirm_password(current_user, form.password.data)
        services.disable_two_factor(current_user)
        flash(_("Two-factor sign-in is off."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(422, disable_form=form)


@bp.route("/profile/two-factor/recovery-codes", methods=["POST"])
@handler()
def recovery_codes_renew():
    form = ConfirmPasswordForm()
    if not current_user.has_two_factor:
        abort(404)
    if form.validate_on_submit():
        services.confirm_password(current_user, form.password.data)
        codes = services.replace_recovery_codes(current_user)
        audit.record(
            "auth.recovery_codes_renewed",
            f"{current_user.name} made new recovery codes",
            subject=current_user,
        )
        return render(
            "accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.profile")
        )
    return _profile_page(422, disable_form=form)


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
@handler(row=Load(SignedInSession, Need.MANAGE, arg="session_id"))  # one's own sessions only
def end_session(row: SignedInSession):
    sessions.end(row)  # its cookies are refused and its sockets dropped
    audit.record("auth.session_ended", f"{current_user.name} ended one of their sessions")
    flash(_("That session is signed out."), "success")
    return redirect(url_for("accounts.profile") + "#sessions")


@bp.route("/profile/sessions/end-others", methods=["POST"])
@handler()
def end_other_sessions():
    count = sessions.end_others(current_user)
    audit.record("auth.sessions_ended", f"{current_user.name} ended {count} other session(s)")
    flash(_("Your other sessions are signed out."), "success")
    return redirect(url_for("accounts.profile") + "#sessions")


# ---- handover ------------------------------------------------------------------------------


def _moved_sentence(run: handover.Handover, shown: set[str]) -> str:
    """What moved, for the steps the page showed this person (the Secretariat is not told
    about need-to-know lists)."""
    parts = [f"{m.label}: {m.count}" for m in run.moved if m.name in shown] or [_("nothing")]
    return _(
        "%(old)s's rights for the delegation now belong to %(new)s (%(what)s); %(old)s's "
        "account is deactivated.",
        old=run.departing.name,
        new=run.successor.name,
        what="; ".join(parts),
    )


@bp.route("/people/<int:user_id>/handover", methods=["GET", "POST"], endpoint="handover")
@handler(departing=Load(User, Need.HAND_OVER, arg="user_id"), field="successor")
def handover_page(departing: User):
    """Hand over everything a departing delegate holds for the delegation, in one step."""
    actor = current_user._get_current_object()
    colleagues = db.session.scalars(
        select(User)
        .where(
            User.delegation_id == departing.delegation_id,
            User.id != departing.id,
            User.is_active.is_(True),
        )
        .order_by(User.name)
    ).all()
    form = HandoverForm()
    form.successor.choices = [(0, _("Choose a colleague"))] + [
        (
            u.id,
            f"{u.name} ({u.email})"
            if u.password_hash
            else _("%(name)s (%(email)s): invitation not accepted yet", name=u.name, email=u.email),
        )
        for u in colleagues
    ]
    may_grant = can(Need.GRANT_HISTORY, departing)
    held = handover.held(departing, actor)
    if form.validate_on_submit():
        successor = db.session.get(User, form.successor.data) if form.successor.data else None
        run = services.hand_over(
            departing,
            successor,
            actor=actor,
            grant_history=may_grant and bool(form.grant_history.data),
        )
        shown = {step.name for step, _items in held}
        flash(" ".join([_moved_sentence(run, shown), *run.notes]), "success")
        if departing.id == actor.id:
            sessions.forget_here()  # the account just handed over is deactivated
            return redirect(url_for("accounts.sign_in"))
        if can(Need.ADMINISTER, departing):
            return redirect(url_for("admin.user_detail", user_id=departing.id))
        return redirect(url_for("accounts.delegation_page", delegation_id=actor.delegation_id))
    status = 422 if form.is_submitted() else 200
    return render(
        "accounts/handover.html",
        form=form,
        departing=departing,
        held=held,
        may_grant=may_grant,
        status=status,
    )


@bp.route("/delegations/<int:delegation_id>/people")
@handler(delegation=Load(Delegation, Need.HAND_OVER))
def delegation_page(delegation: Delegation):
    """My delegation: colleagues, what they hold (their rooms and roles), and the way to hand
    over.

    For the delegation's focal points, and the Secretariat for any delegation. The query count
    does not grow with the delegation: its people in one, and what each domain adds
    (consult.accounts.holdings) for all of them at once.
    """
    people = db.session.scalars(
        select(User).where(User.delegation_id == delegation.id).order_by(User.name)
    ).all()
    return render(
        "accounts/delegation.html",
        delegation=delegation,
        active=[u for u in people if u.is_active],
        departed=[u for u in people if not u.is_active],
        by_id={u.id: u for u in people},
        **holdings.context(delegation, list(people)),
    )
