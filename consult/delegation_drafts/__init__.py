"""Delegation drafts: text colleagues of one State prepare together and one of them posts.

Kinds (what a draft becomes) are registered here, one line each; see kinds.py and
docs/exchange.md ("Delegation drafts") for the four kinds and how to add another.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rule, the kinds, the comment form's button and the dashboard lines."""
    from consult import waiting
    from consult.delegation_drafts import (
        contribution,
        discussion_reply,
        discussion_topic,
        kinds,
        paper_comment,
        policy,
        routes,
        services,
    )

    policy.register()
    app.register_blueprint(routes.bp)
    kinds.add(app, paper_comment.KIND)
    kinds.add(app, discussion_reply.KIND)
    kinds.add(app, discussion_topic.KIND)
    kinds.add(app, contribution.KIND)
    app.context_processor(routes.template_helpers)
    waiting.add(app, services.waiting)
