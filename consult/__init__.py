"""consult: the Information Exchange Platform for Arms Trade Treaty consultations."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, render_template
from flask_babel import format_number, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from consult import (
    accounts,
    admin,
    assistance,
    briefs,
    case_studies,
    delegation_drafts,
    discussions,
    extensions,
    groups,
    i18n,
    library,
    meetings,
    notifications,
    papers,
    procedures,
    questionnaires,
    rooms,
    search,
    small_groups,
    statements,
    taxonomy,
    threads,
)
from consult import logging as request_log
from consult.config import ROOT, Config
from consult.extensions import babel, csrf, db, login_manager, migrate, socketio

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: The domains, in the order they register (and their sections appear on a room page).
DOMAINS = (
    accounts,
    rooms,
    groups,
    taxonomy,
    library,
    meetings,
    threads,
    briefs,
    papers,
    statements,
    discussions,
    delegation_drafts,
    small_groups,
    questionnaires,
    procedures,
    case_studies,
    assistance,
    search,
    notifications,
    admin,
)


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application: bind extensions, register blueprints and Socket.IO handlers."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Config.finalise(app)
    request_log.configure(app)
    # Before any route is added: every <int:...> segment is a database id or number (0..2**63-1).
    from consult.ids import IdConverter

    app.url_map.converters["int"] = IdConverter

    _bind_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_errors(app)
    _register_templating(app)

    from consult import cli

    cli.register(app)
    if app.config.get("PROXY_FIX"):
        hops = int(app.config["PROXY_FIX"])  # trust only what that many proxies set
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    request_log.install(app)  # outermost, so it also times Socket.IO and sees the proxy fix
    return app


def _bind_extensions(app: Flask) -> None:
    from consult.accounts.sessions import SessionCookies

    app.session_interface = SessionCookies()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    # Not a bare `htmx` name here: importing the consult.htmx module rebinds that attribute.
    extensions.htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=_select_time_zone)

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _("Please sign in to continue.")
    login_manager.login_message_category = "info"

    from consult import live

    socketio.init_app(
        app,
        # The manager Flask-SocketIO would pick for the queue, able to drop a whole room of
        # sockets on every worker (an ended session's: see consult.live.RoomDisconnects).
        client_manager=live.client_manager(app.config.get("SOCKETIO_MESSAGE_QUEUE")),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
        manage_session=False,
        # No cors_allowed_origins: the default (None) accepts only same-origin sockets, so
        # another site cannot open a channel with a delegate's cookies.
    )

    from consult import transaction

    with app.app_context():
        transaction.install(app, db.engine)
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(db.engine)


def _tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys; reads begin deferred and writes IMMEDIATE.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    sent. A read holds no lock, so a slow page never makes a writer wait; a write takes the
    lock at its first statement, since a deferred transaction that later upgrades to a write
    fails at once with SQLITE_BUSY. consult.transaction says which is which.
    """
    from consult import transaction

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if transaction.writes() else "BEGIN")


def _register_blueprints(app: Flask) -> None:
    """Each domain registers its blueprint, rules, live events and room page sections, in the
    order of DOMAINS (which is also the order of the sections on a room page)."""
    from consult import core, drafts, live, mentions

    app.register_blueprint(core.bp)
    mentions.register(app)
    drafts.init_app(app)
    for domain in DOMAINS:
        domain.register(app)
    socketio.on_namespace(live.LiveNamespace("/live"))


def _select_time_zone() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return current_user.time_zone
    return None


def _register_hooks(app: Flask) -> None:
    from consult import policy
    from consult.accounts import sessions

    app.before_request(policy.guard_request)
    app.before_request(sessions.check)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if g.get("no_store"):
            # Confidential pages: no copy anywhere, not even in the browser's cache.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        elif current_user and current_user.is_authenticated:
            # Pages for a signed-in person are never stored by shared caches.
            headers.setdefault("Cache-Control", "private, no-cache")
        return response

    @app.teardown_request
    def _discard_uncommitted(exc) -> None:
        from consult import mail

        mail.discard()


def _register_errors(app: Flask) -> None:
    from consult.htmx import wants_fragment

    def page(status: int, title: str, message: str):
        template = "errors/_error.html" if wants_fragment() else "errors/error.html"
        return render_template(template, status=status, title=title, message=message), status

    @app.errorhandler(400)
    def bad_request(_e):
        return page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        from consult import drafts

        # A keepable form whose session ended or changed: its text is kept, not lost.
        if (kept := drafts.after_csrf_failure()) is not None:
            return kept
        return page(
            400,
            _("Your form expired"),
            _(
                "Your form was open too long or came from another site. Go back, reload the page "
                "and try again; nothing was changed."
            ),
        )

    @app.errorhandler(403)
    def forbidden(_e):
        return page(403, _("Not allowed"), _("You can see this, but you may not do that here."))

    @app.errorhandler(404)
    def not_found(_e):
        return page(404, _("Not found"), _("There is nothing here, or it is not open to you."))

    @app.errorhandler(405)
    def method_not_allowed(_e):
        return page(405, _("Not allowed"), _("That action is not available here."))

    @app.errorhandler(413)
    def too_large(_e):
        return page(413, _("Too large"), _("What you sent is larger than we accept."))

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return page(
            500,
            _("Something went wrong"),
            _("We could not complete that. Nothing was changed; please try again."),
        )


def _unread_notifications() -> int:
    from consult.notifications.services import unread_count

    return unread_count(current_user._get_current_object()) if current_user.is_authenticated else 0


def _register_templating(app: Flask) -> None:
    from consult import dates, policy
    from consult.papers import templating as papers_templating

    papers_templating.register(app)
    dates.register(app)
    app.jinja_env.filters["number"] = format_number  # Babel: 1,234 / 1 234 / 1.234
    app.jinja_env.globals.update(
        can=policy.can,
        Need=policy.Need,
        # Templates ask the one confidential gate, never restate it.
        gate_closed=policy.gate_closed,
        csrf_token=generate_csrf,
        viewer_time_zone=lambda: str(get_timezone()),
        current_locale=lambda: str(get_locale() or "en"),
        language_choices=i18n.choices,
        unread_notifications=_unread_notifications,
    )
