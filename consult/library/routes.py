"""The library's pages: the stages of implementation, and a page per stage and sub-topic."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from consult.handlers import handler
from consult.htmx import render
from consult.library import shelves
from consult.taxonomy import services as taxonomy
from consult.taxonomy.models import Vocabulary

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.route("")
@handler()
def index():
    """The stages of implementation and their sub-topics."""
    return render("library/index.html", stages=taxonomy.tree())


@bp.route("/<slug>")
@handler()
def term(slug: str):
    """What this person may see that is tagged with the stage (and its sub-topics) or the
    sub-topic, shelf by shelf."""
    found = taxonomy.by_slug(slug)
    if found is None or found.vocabulary is not Vocabulary.STAGE:
        abort(404)
    query = shelves.Query(term_ids=tuple(taxonomy.with_subtopics(found)))
    listed = [(shelf, shelf.find(current_user, query)) for shelf in shelves.all_shelves()]
    return render("library/term.html", term=found, shelves=listed)
