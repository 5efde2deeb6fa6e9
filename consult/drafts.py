"""Text kept when a session ends mid-typing, offered back to its author after signing in again.

A session can end under a person's hands: the confidential idle limit passes, they sign out in
another tab, a session is ended from another device. What they were typing is then kept here,
encrypted like posts, for that person only and for `KEPT_DRAFT_HOURS` (24 by default; `consult
purge-expired` deletes older ones), and the form's own page offers it back, pre-filled.

A form declares that it is keepable in two places:

- its view carries `@keepable(...)` above `@handler(...)`: which fields to keep, the page that shows
  the form, and what the person needs on which object for the text to be kept at all;
- its template carries `{{ keep_token() }}` (templates/_drafts.html): a signed, expiring token
  naming the person the form was rendered for.

Who the text belongs to: when the session is still signed in (the idle limit, which keeps the
session), the signed-in person. When it has ended, the request is anonymous (or its CSRF token
no longer matches the session), so only the token says who wrote the text; it is signed with
the application's secret, so nobody can make one for someone else, and it is only in pages
served to that person. The text is kept for the token's person and offered to nobody else:
another person signing in on the same browser never sees it. See docs/decisions.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult import policy
from consult.crypto import EncryptedText
from consult.extensions import db
from consult.htmx import redirect
from consult.policy import Need, acting_user, can
from consult.timeutil import UTCDateTime, utcnow
from consult.transaction import commit

#: The hidden input that carries the signed token naming the form's person.
TOKEN_FIELD = "kept_for"  # noqa: S105 - a field name, not a secret
_SALT = "consult.kept-draft"


class KeptDraft(db.Model):
    """What one person had typed into one form when their session ended."""

    __tablename__ = "kept_draft"
    __table_args__ = (UniqueConstraint("user_id", "form_key", name="one_per_form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The form's endpoint and its URL arguments (ids only), e.g. "threads.post:thread_id=12".
    form_key: Mapped[str] = mapped_column(String(300))
    #: The page that shows the form (built by the server, never taken from the request).
    page: Mapped[str] = mapped_column(String(300))
    #: JSON {"fields": {name: value}, "files": [names of files that were not kept]}, encrypted.
    content: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Its person (consult.accounts.models.User), named for the mapper: accounts builds on drafts.
    user: Mapped[Any] = relationship("User", lazy="raise")

    @property
    def values(self) -> dict[str, str]:
        return json.loads(self.content).get("fields", {})

    @property
    def files(self) -> list[str]:
        """Names of attached files: files are not kept, the person chooses them again."""
        return json.loads(self.content).get("files", [])


def _draft_rule(person, need: Need, draft: KeptDraft) -> bool:
    """Kept text is its author's alone: nobody else may know it exists."""
    return draft.user_id == person.id and need in (Need.VIEW, Need.MANAGE)


@dataclass(frozen=True)
class Keepable:
    """How a view's form is kept: `text` decides whether anything was typed, `extra` travels
    with it; `page(**view_args)` is the page with the form; `target(**view_args)` the object the
    person needs `need` on (None: keep nothing)."""

    text: tuple[str, ...]
    page: Callable[..., str]
    target: Callable[..., Any]
    need: Need = Need.TAKE_PART
    extra: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


def keepable(
    *,
    text: tuple[str, ...],
    page: Callable[..., str],
    target: Callable[..., Any],
    need: Need = Need.TAKE_PART,
    extra: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
):
    """Declare a view's form keepable; put it above @handler, so that a submission whose
    session has ended is kept before the sign-in page is asked for."""
    spec = Keepable(text=text, page=page, target=target, need=need, extra=extra, files=files)

    def decorate(view):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST" and acting_user() is None:
                response = after_session_ended()
                if response is not None:
                    return response
            return view(*args, **kwargs)

        wrapper._keepable = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _spec() -> Keepable | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "_keepable", None)


def form_key(endpoint: str, **args: Any) -> str:
    return endpoint + "".join(f":{name}={args[name]}" for name in sorted(args))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["KEPT_DRAFT_HOURS"])


def token() -> str:
    """The signed token a keepable form carries: who it was rendered for (empty if nobody)."""
    person = acting_user()
    return _serializer().dumps(person.id) if person is not None else ""


def token_owner() -> Any | None:
    """The person (a User) named by the submitted form's token, if it is genuine and recent."""
    raw = request.form.get(TOKEN_FIELD, "")
    if not raw:
        return None
    try:
        user_id = _serializer().loads(raw, max_age=int(_lifetime().total_seconds()))
    except BadData:
        return None
    person_model = KeptDraft.user.property.mapper.class_
    return db.session.get(person_model, user_id) if isinstance(user_id, int) else None


def keep(owner: Any) -> KeptDraft | None:
    """Keep this POST's text for `owner`, if the view is keepable, something was typed and
    the owner may use the form's object; replaces what was kept for the same form before."""
    spec = _spec()
    if spec is None or request.method != "POST":
        return None
    args = dict(request.view_args or {})
    target = spec.target(**args)
    if target is None or not can(spec.need, target, user=owner):
        return None
    fields = {name: request.form.get(name, "") for name in (*spec.text, *spec.extra)}
    if not any(fields[name].strip() for name in spec.text):
        return None
    files = [
        upload.filename
        for name in spec.files
        if (upload := request.files.get(name)) is not None and upload.filename
    ]
    key = form_key(request.endpoint, **args)
    draft = db.session.scalars(
        select(KeptDraft).where(KeptDraft.user_id == owner.id, KeptDraft.form_key == key)
    ).first() or KeptDraft(user_id=owner.id, form_key=key)
    now = utcnow()
    draft.page = spec.page(**args)
    draft.content = json.dumps({"fields": fields, "files": files})
    draft.created_at, draft.expires_at = now, now + _lifetime()
    db.session.add(draft)
    db.session.flush()
    return draft


def page_url() -> str | None:
    """The page with this request's form, for a keepable view (where to come back to)."""
    spec = _spec()
    return spec.page(**(request.view_args or {})) if spec is not None else None


def keep_for_fresh_sign_in() -> str | None:
    """The confidential idle limit has passed (the session still is this person's): keep the
    text for them and return the page to come back to after signing in again."""
    person = acting_user()
    back = page_url()
    if person is None or back is None or request.method != "POST":
        return None
    if keep(person) is not None:
        commit()
        flash(_kept_message(), "info")
    return back


def _kept_message() -> str:
    return _(
        "Nothing was sent: you need to sign in again. Your text was kept and is offered back "
        "on the page you were on once you have signed in."
    )


def _to_sign_in(page: str):
    flash(_kept_message(), "info")
    return redirect(url_for("accounts.sign_in", next=page))


def after_session_ended():
    """An anonymous POST to a keepable form (signed out elsewhere, session ended): keep the
    text for the form's person and send them to sign in, then back to the form's page."""
    owner = token_owner()
    draft = keep(owner) if owner is not None else None
    if draft is None:
        return None
    commit()
    return _to_sign_in(draft.page)


def after_csrf_failure():
    """The CSRF token no longer matches the session (it ended, or a new one began in another
    tab): the form's own token still says whose text it is. Keep it; nothing is sent."""
    if _spec() is None:
        return None
    owner = token_owner()
    draft = keep(owner) if owner is not None else None
    if draft is None:
        return None
    commit()
    person = acting_user()
    if person is None:
        return _to_sign_in(draft.page)
    if person.id == owner.id:
        flash(
            _(
                "Your session changed while you were writing, so nothing was sent. Your text "
                "was kept: check it and send it again."
            ),
            "info",
        )
        return redirect(draft.page)
    flash(
        _(
            "That form belonged to an earlier session of someone else; nothing was sent. Its "
            "text is kept for the person who wrote it."
        ),
        "info",
    )
    return redirect(url_for("core.dashboard"))


def offered(endpoint: str, **args: Any) -> KeptDraft | None:
    """The current person's kept text for this form, if any is left."""
    person = acting_user()
    if person is None:
        return None
    return db.session.scalars(
        select(KeptDraft).where(
            KeptDraft.user_id == person.id,
            KeptDraft.form_key == form_key(endpoint, **args),
            KeptDraft.expires_at > utcnow(),
        )
    ).first()


def offered_within(endpoint: str, **args: Any) -> list[KeptDraft]:
    """The current person's kept texts for every form of `endpoint` whose arguments include
    `args` (e.g. the comment forms of all paragraphs of one paper), for a notice linking to them."""
    person = acting_user()
    if person is None:
        return []
    wanted = {f"{name}={value}" for name, value in args.items()}
    rows = db.session.scalars(
        select(KeptDraft)
        .where(
            KeptDraft.user_id == person.id,
            KeptDraft.form_key.startswith(f"{endpoint}:", autoescape=True),
            KeptDraft.expires_at > utcnow(),
        )
        .order_by(KeptDraft.created_at)
    )
    return [row for row in rows if wanted <= set(row.form_key.split(":")[1:])]


def forget(endpoint: str, **args: Any) -> None:
    """The form was sent: what was kept for it is no longer needed (flushed, not committed)."""
    person = acting_user()
    if person is not None:
        db.session.execute(
            delete(KeptDraft).where(
                KeptDraft.user_id == person.id,
                KeptDraft.form_key == form_key(endpoint, **args),
            )
        )


def purge_expired(now: datetime | None = None) -> int:
    """Delete kept text past its time (run by `consult purge-expired`)."""
    result = db.session.execute(delete(KeptDraft).where(KeptDraft.expires_at <= (now or utcnow())))
    return result.rowcount or 0


def same_site_path(url: str) -> str:
    """`url` as a path on this site (the dashboard for anything else)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else url_for("core.dashboard")


def discard(draft: KeptDraft) -> str:
    """Delete kept text its author no longer wants; return the page it was kept for."""
    page = same_site_path(draft.page)
    db.session.delete(draft)
    return page


def init_app(app: Flask) -> None:
    """The rule for kept text and the templates' token (the blueprint is the accounts
    domain's to register, with its views: consult.accounts.kept)."""
    register()
    app.jinja_env.globals["keep_token_value"] = token
    app.jinja_env.globals["keep_token_field"] = TOKEN_FIELD


def register() -> None:
    """Tell the policy how to answer for KeptDraft."""
    policy.add(KeptDraft, rule=_draft_rule)
