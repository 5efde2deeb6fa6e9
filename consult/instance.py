"""This installation's identity: the one name that makes calendar UIDs unique to it.

Two installations of consult (a staging copy and production, or two treaty secretariats) both
have a meeting 12: a calendar that subscribes to both must never take one for the other, so
every UID ends with this installation's id. It is `CONSULT_INSTANCE_ID` when set; otherwise it
is generated once (a random UUID), stored in the database and kept, so every worker and every
restart says the same.
"""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.transaction import writing

INSTANCE_ID = "instance_id"
_CACHE = "consult.instance_id"


class InstallationSetting(db.Model):
    """A value this installation keeps for itself (its generated instance id)."""

    __tablename__ = "installation_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def _stored() -> str | None:
    return db.session.scalar(
        select(InstallationSetting.value).where(InstallationSetting.name == INSTANCE_ID)
    )


def instance_id() -> str:
    """The configured id, else the stored one, else a new one stored now (once: a worker that
    lost the race reads the winner's)."""
    configured = (current_app.config.get("INSTANCE_ID") or "").strip()
    if configured:
        return configured
    cached = current_app.extensions.get(_CACHE)
    if cached:
        return cached
    value = _stored()
    if value is not None:
        current_app.extensions[_CACHE] = value
        return value
    try:
        with writing(), db.session.begin_nested():
            db.session.add(InstallationSetting(name=INSTANCE_ID, value=uuid.uuid4().hex))
    except IntegrityError:
        pass  # another worker stored one first
    # Not cached yet: inside a request that writes, it is kept only if that request commits
    # (the next call reads it back, and caches it then).
    return _stored() or ""
