"""Case studies: a delegation's structured account of one practice (context, challenge,
measures taken, agencies involved, result, lessons), reviewed by the room's chairs or the
Secretariat before it is published to the room and the library's "Case studies" shelf;
attributed or not at the submitter's choice, withdrawable (a placeholder stays)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rule, the room page's section, "waiting for you", the shelf and the
    handover of contact points."""
    from consult import waiting
    from consult.accounts import handover
    from consult.case_studies import policy, routes, services
    from consult.library import shelves
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    contents.add(app, routes.room_section)
    waiting.add(app, services.waiting_for)
    shelves.add(app, services.SHELF)
    handover.add(app, services.CONTACT_POINTS)
