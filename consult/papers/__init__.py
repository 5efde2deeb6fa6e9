"""Papers: numbered paragraphs, revisions, comments anchored to paragraphs, compilations."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules, the template helpers, the room page's papers section and the
    library's shelves of papers."""
    from consult import waiting
    from consult.accounts import handover
    from consult.notifications import reminders
    from consult.papers import (
        contribution_routes,
        contributions,
        events,
        library,
        policy,
        routes,
        services,
        templating,
        workflow_routes,
    )
    from consult.rooms import contents

    policy.register()
    reminders.add(app, services.reminder_deadlines)
    from consult import mentions
    from consult.papers.models import Paper

    mentions.add_place("paper", Paper)
    app.register_blueprint(routes.bp)
    app.register_blueprint(contribution_routes.bp)
    app.register_blueprint(workflow_routes.bp)
    templating.register(app)
    contents.add(app, templating.room_papers)
    events.register(app)
    handover.add(app, services.PAPER_FOLLOWS)
    waiting.add(app, contributions.waiting_for)
    waiting.add(app, services.waiting_for_group)
    library.register(app)
