"""The library's pages: the stages of implementation, and a page per stage and sub-topic."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")
