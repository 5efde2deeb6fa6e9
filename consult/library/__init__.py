"""The implementation library: a page per stage of implementation and per sub-topic, listing
what a person may see that is tagged with it, shelf by shelf (papers and revisions, national
contributions, case studies, answers to questionnaires, chair's summaries, trend briefs).

The library imports none of the domains it lists: each domain adds its shelf from its own
`register(app)` (`consult.library.shelves.add`), and every shelf selects through the policy's
visible filter, so nothing one may not see is listed or counted.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The library's pages."""
    from consult.library import routes

    app.register_blueprint(routes.bp)
