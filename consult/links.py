"""Paths to pages, also outside a request (services run from the CLI and from tests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: Any) -> str:
    """Like url_for, but works with only an app context (no SERVER_NAME needed)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(path: str) -> str:
    """A link for outside the app (an e-mail): the request's own address, or PUBLIC_URL when
    there is no request (the sender, digests, reminders)."""
    from flask import request

    if has_request_context():
        return request.host_url.rstrip("/") + path
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site (never another host, however spelt)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return None
