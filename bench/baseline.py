"""A bare Flask + Flask-SocketIO app: the yardstick the benchmarks hold consult against.

Served by the same gunicorn.conf.py and worker as consult (`gunicorn -c gunicorn.conf.py
bench.baseline:app`), it renders a page of about the same template work as consult's pages (a
layout, a list of members, a form with a long select) with no database and no sign-in, and its
/live namespace accepts every socket. What consult costs beyond this is consult's own cost.

For the live benchmarks it also does, barely, what consult's meeting and paper channels do:
`watch_meeting` / `watch_paper` join a room with no check; a POST to
`/meetings/<id>/advance` broadcasts the panel it is sent (bench/live_fanout.py sends the panel
consult rendered, so both servers carry the same payload) and `/meetings/<id>/panel` answers
the last one for a client that resyncs; a POST to `/papers/<id>/comments` stores the comment in
SQLite (WAL, as consult's default) and broadcasts the same content-free signal as consult.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_socketio import SocketIO, join_room
from jinja2 import DictLoader

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="/static/css/app.css"><script src="/static/js/app.js" defer></script>
</head><body hx-headers='{"X-CSRFToken": "{{ token }}"}'>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><nav aria-label="Main"><ul>
{% for label, href in nav %}<li><a href="{{ href }}">{{ label }}</a></li>{% endfor %}
</ul></nav><form method="post" action="/sign-out"><input type="hidden" name="csrf_token"
value="{{ token }}"><button type="submit">Sign out</button></form></header>
<main id="main">{% block main %}{% endblock %}</main>
<footer><p>Baseline &middot; {{ footer }}</p></footer></body></html>"""

PAGE = """{% extends "layout.html" %}{% block title %}{{ title }}{% endblock %}
{% block main %}<h1>{{ title }}</h1><div class="description">{{ description }}</div>
<section id="members"><h2>Members</h2>{% for group in groups %}<h3>{{ group.label }}</h3>
<ul class="members">{% for m in group.members %}<li><span class="delegation">{{ m.name }}</span>
<span class="meta">whole delegation: {{ m.role }}</span>
<form method="post" action="/rooms/x/members/{{ m.id }}/role" class="inline-form">
<input type="hidden" name="csrf_token" value="{{ token }}">
<label class="visually-hidden" for="role-{{ m.id }}">Role of {{ m.name }}</label>
<select id="role-{{ m.id }}" name="role">{% for value, label in roles %}<option value="{{ value }}"
{% if value == m.role %} selected{% endif %}>{{ label }}</option>{% endfor %}</select>
<button type="submit">Change role</button></form></li>{% endfor %}</ul>{% endfor %}
<details><summary>Add members</summary><form method="post" action="/rooms/x/members">
<input type="hidden" name="csrf_token" value="{{ token }}"><select name="delegation">
{% for id, name in delegations %}<option value="{{ id }}">{{ name }}</option>{% endfor %}
</select><button type="submit">Add delegation</button></form></details></section>
<section><h2>Recent activity</h2><ul>{% for line in activity %}<li>{{ line }}
<time>{{ when }}</time></li>{% endfor %}</ul></section>{% endblock %}"""

ROLES = [
    ("chair", "Chair"),
    ("facilitator", "Facilitator"),
    ("member", "Member"),
    ("observer", "Observer"),
]
CONTEXT = {
    "title": "Working Group on Effective Treaty Implementation",
    "description": "Priority topics set by the Conference; observers read, members take part.",
    "nav": [
        ("My rooms", "/"),
        ("All rooms", "/rooms/"),
        ("Profile", "/profile"),
        ("Administration", "/admin/"),
    ],
    "groups": [
        {
            "label": f"Status {g}",
            "members": [
                {"id": g * 10 + i, "name": f"Delegation {g}-{i} <&>", "role": "member"}
                for i in range(6)
            ],
        }
        for g in range(4)
    ],
    "roles": ROLES,
    "delegations": [(i, f"Delegation number {i}") for i in range(40)],
    "activity": [f"Delegation {i} joined as member" for i in range(10)],
    "when": "1 May 2026, 10:00",
    "token": "x" * 80,
    "footer": "consult benchmark",
}

app = Flask(__name__, static_folder=None)
app.jinja_loader = DictLoader({"layout.html": LAYOUT, "page.html": PAGE})
socketio = SocketIO(
    app,
    message_queue=os.environ.get("CONSULT_MESSAGE_QUEUE"),
    channel="bench-baseline",
    async_mode=os.environ.get("CONSULT_ASYNC_MODE", "threading"),
    cors_allowed_origins=[],
)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/page")
def page():
    return render_template("page.html", **CONTEXT)


@socketio.on("connect", namespace="/live")
def connect(auth=None) -> bool:
    return True


# ---- live benchmarks: a meeting panel and a paper's comments, with no checks at all ---------

#: The last panel per meeting, and each meeting's version (this one process holds them).
PANELS: dict[int, dict] = {}
COMMENTS_DB = Path(
    os.environ.get("BENCH_BASELINE_DB") or Path(tempfile.gettempdir()) / "consult-baseline.db"
)


_SCHEMA_READY = False


def _comments_db() -> sqlite3.Connection:
    """A connection as consult's (WAL, synchronous NORMAL); the table is made on first use."""
    global _SCHEMA_READY
    connection = sqlite3.connect(COMMENTS_DB, timeout=10, isolation_level=None)
    connection.execute("PRAGMA synchronous=NORMAL")  # per connection; WAL stays with the file
    if not _SCHEMA_READY:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS comment (id INTEGER PRIMARY KEY, paper_id INTEGER,"
            " paragraph_key TEXT, body TEXT)"
        )
        _SCHEMA_READY = True
    return connection


@app.post("/meetings/<int:meeting_id>/advance")
def advance(meeting_id: int):
    panel = PANELS.setdefault(meeting_id, {"version": 0, "html": ""})
    panel["version"] += 1
    panel["html"] = re.sub(
        r'data-version="\d+"', f'data-version="{panel["version"]}"', request.get_json()["html"]
    )
    payload = {"meeting": meeting_id, "version": panel["version"], "html": panel["html"]}
    socketio.emit("meeting-panel", payload, to=f"meeting:{meeting_id}", namespace="/live")
    return jsonify(version=panel["version"])


@app.get("/meetings/<int:meeting_id>/panel")
def meeting_panel(meeting_id: int):
    return PANELS.get(meeting_id, {"html": ""})["html"]


@app.post("/papers/<int:paper_id>/comments")
def post_comment(paper_id: int):
    key = request.form.get("key", "")
    connection = _comments_db()
    try:
        cursor = connection.execute(
            "INSERT INTO comment (paper_id, paragraph_key, body) VALUES (?, ?, ?)",
            (paper_id, key, request.form.get("body", "")),
        )
        version = cursor.lastrowid
    finally:
        connection.close()
    socketio.emit(
        "paper-changed",
        {"paper": paper_id, "kind": "comment", "key": key, "version": version},
        to=f"paper:{paper_id}",
        namespace="/live",
    )
    return jsonify(version=version)


@socketio.on("watch_meeting", namespace="/live")
def watch_meeting(data):
    meeting_id = int(data["meeting"])
    join_room(f"meeting:{meeting_id}")
    return {"ok": True, "version": PANELS.get(meeting_id, {"version": 0})["version"]}


@socketio.on("watch_paper", namespace="/live")
def watch_paper(data):
    join_room(f"paper:{int(data['paper'])}")
    return {"ok": True, "version": 0}


@socketio.on("clock", namespace="/live")
def clock(data=None):
    return {"now": time.time() * 1000}
