"""Configuration read from the environment; nothing secret lives in the repository."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CONSULT_{name}", default)


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for development and production; every value can come from `CONSULT_*`."""

    ENV = _env("ENV", "development")
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'consult.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SOCKETIO_MESSAGE_QUEUE = _env("MESSAGE_QUEUE")
    #: "threading" (consult serve, gunicorn gthread) or "gevent"; gunicorn.conf.py sets it per
    #: worker, so an installed gevent never switches the development server by surprise.
    SOCKETIO_ASYNC_MODE = _env("ASYNC_MODE", "threading")

    # Logs: "json" lines on stdout (the production default) or "text"; one line per request.
    LOG_FORMAT = _env("LOG_FORMAT", "json" if ENV == "production" else "text")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    #: How many reverse proxies set X-Forwarded-For/-Proto/-Host in front of the app (0: none).
    PROXY_FIX = int(_env("PROXY_FIX", "0"))

    # Sessions and cookies: strong protection, never readable from scripts.
    SESSION_COOKIE_NAME = "consult_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", ENV == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    #: Rendered fragments kept per version, language and class of reader (consult.cache);
    #: off, every fragment is rendered for every request (the tests compare the two).
    FRAGMENT_CACHE = _flag("FRAGMENT_CACHE", True)

    # Bodies larger than this are refused with 413 before a view runs.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(12 * 1024 * 1024)))
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    #: The CSP cycle the Secretariat's document symbols name now (ATT/CSP<n>...): the national
    #: contributions' symbols are pre-filled with it.
    CSP_NUMBER = int(_env("CSP_NUMBER", "12"))
    #: This installation's name in calendar UIDs (meeting-12@<id>); generated and stored in
    #: the database when unset (consult.instance).
    INSTANCE_ID = _env("INSTANCE_ID")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    #: The interface languages offered, in the order the language switch lists them.
    LANGUAGES = ["en", "fr", "es"]

    # Mail: "console" logs, "file" writes .eml files, "smtp" sends; "memory" is for tests.
    MAIL_BACKEND = _env("MAIL_BACKEND", "console")
    MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(INSTANCE / "mail"))
    MAIL_SENDER = _env("MAIL_SENDER", "consult <no-reply@consult.invalid>")
    #: The address links in e-mail point to when no request gives one (digests, reminders).
    PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
    #: Try a request's own messages right after its commit (the sender retries what fails).
    MAIL_SEND_INLINE = _flag("MAIL_SEND_INLINE", False)
    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = int(_env("SMTP_PORT", "587"))
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _flag("SMTP_STARTTLS", True)

    # Links sent by e-mail are single-use and expire.
    RESET_TOKEN_HOURS = 2
    INVITATION_TOKEN_DAYS = 7

    # Failed sign-ins per e-mail address / per client address within the window.
    SIGN_IN_WINDOW_MINUTES = 15
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 5
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = 20

    DEMO_PASSWORD = _env("DEMO_PASSWORD", "consult-demo")
    #: Fernet key(s) for confidential content, comma-separated, newest first (or a key file).
    CONTENT_KEY = _env("CONTENT_KEY")
    CONTENT_KEY_FILE = _env("CONTENT_KEY_FILE")
    #: Where encrypted attachments live (outside the static folder).
    ATTACHMENT_DIR = _env("ATTACHMENT_DIR", str(INSTANCE / "attachments"))
    MAX_ATTACHMENT_BYTES = int(_env("MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))
    #: Minutes during which the author of a discussion post may edit it (the history is kept).
    DISCUSSION_EDIT_MINUTES = float(_env("DISCUSSION_EDIT_MINUTES", "30"))
    #: Minutes without activity in a confidential room before a fresh sign-in is asked.
    #: (A fraction is allowed, e.g. 0.5 for the browser tests.)
    CONFIDENTIAL_IDLE_MINUTES = float(_env("CONFIDENTIAL_IDLE_MINUTES", "15"))
    #: How long before the idle limit a page warns and offers to stay (WCAG 2.2.1: >= 20 s).
    CONFIDENTIAL_IDLE_WARN_SECONDS = max(20, int(_env("CONFIDENTIAL_IDLE_WARN_SECONDS", "120")))
    #: Hours that text typed into a form whose session ended is kept for its author.
    KEPT_DRAFT_HOURS = int(_env("KEPT_DRAFT_HOURS", "24"))
    #: Extra keyword arguments for argon2.PasswordHasher; empty means its RFC 9106 default.
    ARGON2_PARAMETERS: dict = {}
    PAGE_SIZE = 20
    TESTING = False

    @classmethod
    def finalise(cls, app) -> None:
        """Refuse to start in production without a secret; invent one in development."""
        if not app.config.get("SECRET_KEY"):
            if app.config.get("ENV") == "production":
                raise RuntimeError("CONSULT_SECRET_KEY must be set in production")
            app.config["SECRET_KEY"] = _development_secret()
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            # A server restart or failover must not hand a dead connection to a request.
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
                "pool_pre_ping": True,
                **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            }


def _development_secret() -> str:
    """Keep a generated secret under instance/ so sessions survive a restart in development."""
    path = INSTANCE / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


class TestConfig(Config):
    """Only what tests need to differ: a throwaway database, mail kept in memory."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_BACKEND = "memory"
    MAIL_SEND_INLINE = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    DEMO_PASSWORD = "consult-demo"  # noqa: S105
    # Argon2's cost is a defence against offline guessing, not something tests need to pay.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    CONTENT_KEY = "k5gCgl6efw6zbeaUa5qArE9dIJa3hYASn84GyP3O1TE="  # noqa: S105 - a test-only Fernet key
