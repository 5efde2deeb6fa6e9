"""A bare Flask + Flask-SocketIO app: the yardstick the benchmarks hold consult against.

Served by the same gunicorn.conf.py and worker as consult (`gunicorn -c gunicorn.conf.py
bench.baseline:app`), it renders a page of about the same template work as consult's pages (a
layout, a list of members, a form with a long select) with no database and no sign-in, and its
/live namespace accepts every socket. What consult costs beyond this is consult's own cost.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, render_template
from flask_socketio import SocketIO
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
