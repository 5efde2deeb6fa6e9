"""Encryption at rest for confidential content, with a key kept outside the database.

The key comes from CONSULT_CONTENT_KEY (one or more Fernet keys, comma-separated, newest first,
so keys can be rotated) or from the file named by CONSULT_CONTENT_KEY_FILE. In development a
key file is generated under instance/. A copy of the database or of a backup without the key
reveals no thread title, post, case reference or attachment.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

from consult.config import INSTANCE


class KeyError_(RuntimeError):
    """The content key is missing or wrong; confidential content cannot be read or stored."""


def _load_keys() -> list[str]:
    value = current_app.config.get("CONTENT_KEY")
    if value:
        return [k.strip() for k in value.split(",") if k.strip()]
    path = current_app.config.get("CONTENT_KEY_FILE")
    if path:
        return [k.strip() for k in Path(path).read_text().split() if k.strip()]
    if current_app.config.get("ENV") == "production":
        raise KeyError_("Set CONSULT_CONTENT_KEY or CONSULT_CONTENT_KEY_FILE in production.")
    dev = INSTANCE / "content.key"
    if not dev.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        dev.write_text(Fernet.generate_key().decode())
        os.chmod(dev, 0o600)
    return [dev.read_text().strip()]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def cipher() -> MultiFernet:
    return _fernet(tuple(_load_keys()))


def encrypt(data: bytes) -> bytes:
    return cipher().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return cipher().decrypt(token)
    except InvalidToken as error:
        raise KeyError_(
            "confidential content cannot be decrypted with the configured key"
        ) from error


def derived_key(purpose: str) -> bytes:
    """A key for `purpose` derived from the newest content key (the search index's keyed
    hashes of confidential words): without the content key it cannot be remade."""
    return hmac.new(_load_keys()[0].encode(), purpose.encode(), hashlib.sha256).digest()


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token; plain text only in memory."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect):
        return None if value is None else encrypt(value.encode())

    def process_result_value(self, value: bytes | None, dialect):
        return None if value is None else decrypt(bytes(value)).decode()


__all__ = ["EncryptedText", "KeyError_", "decrypt", "derived_key", "encrypt"]
