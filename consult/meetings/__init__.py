"""Meetings: agenda, speakers' list, chair's console, projector, calendar."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """The blueprint, the rules and the room page's meetings section."""
    from consult import dashboard, waiting
    from consult.accounts import handover
    from consult.meetings import (
        agenda_routes,
        attendance_routes,
        document_routes,
        documents,
        events,
        interpretation,
        policy,
        presence,
        programme,
        programme_routes,
        routes,
        screen_routes,
        services,
        visibility,
    )
    from consult.rooms import contents

    policy.register()
    app.register_blueprint(routes.bp)
    app.register_blueprint(screen_routes.bp)
    app.register_blueprint(attendance_routes.bp)
    app.register_blueprint(document_routes.bp)
    app.add_template_global(documents.audience_documents, "agenda_documents")
    app.add_template_global(visibility.status_phrase, "floor_status_phrase")
    app.add_template_global(interpretation.meeting_channels, "interpretation_channels")
    app.register_blueprint(agenda_routes.bp)
    app.register_blueprint(programme_routes.bp)
    dashboard.add(app, programme.dashboard_section)
    app.add_template_global(visibility.who, "floor_who")
    app.add_template_global(visibility.tag, "floor_tag")
    app.add_template_global(presence.counts, "presence_counts")
    app.add_template_global(presence.attendees, "meeting_attendees")
    app.add_template_global(presence.people_for_desk, "desk_people")
    contents.add(app, routes.room_meetings)
    events.register(app)
    handover.add(app, services.FLOOR_REQUESTS)
    waiting.add(app, services.waiting_for_group)
    app.add_template_filter(services.clock, "clock")
    app.add_template_filter(services.minutes, "minutes")
    app.add_template_filter(programme.day_text, "programme_day")
