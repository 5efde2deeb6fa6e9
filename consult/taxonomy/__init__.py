"""The taxonomy of implementation: the stages of Treaty implementation and their sub-topics
(as the WGETI arranges its work), the kinds of transfer activity, and the Treaty's articles,
with the tags that attach them to papers, discussions, contributions, agenda items, case
studies, questions and requests for assistance.

It is the bottom layer the other domains tag through (it imports none of them): a tag names
its subject as (type, id), like a notification does, so any listed model can be tagged and
the library selects what is tagged through the subjects' own visible filters.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The terms' rule and the Secretariat's taxonomy pages (edit, order, retire terms)."""
    from consult.taxonomy import policy, routes

    policy.register()
    app.register_blueprint(routes.bp)
