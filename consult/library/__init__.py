"""The implementation library: a page per stage of implementation and per sub-topic, listing
what a person may see that is tagged with it, shelf by shelf (papers and revisions, national
contributions, case studies, answers to questionnaires, chair's summaries, trend briefs,
discussions).

The library imports none of the domains it lists: each domain adds its shelf from its own
`register(app)` (`consult.library.shelves.add`), and every shelf selects through the policy's
visible filter, so nothing one may not see is listed or counted.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from consult import dates


def library_date(value: datetime | None) -> str:
    """An entry's date in the viewer's time zone and language (no time of day)."""
    return dates.day(value)


def register(app: Flask) -> None:
    """The library's pages and its date filter."""
    from consult.library import routes

    app.register_blueprint(routes.bp)
    app.jinja_env.filters["library_date"] = library_date
