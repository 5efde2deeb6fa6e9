"""A bare Flask page rendering the same 300 numbered paragraphs with their comment counts.

The yardstick of bench/papers.py: served the same way as consult (gunicorn.conf.py, same worker),
no database, no sign-in, no policy; only the template work of the paper page's text.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template_string

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/css/app.css"></head><body><main>
<h1>{{ title }}</h1>
{% for p in paragraphs %}<article class="paragraph" id="para-{{ p.key }}">
<a class="para-number" href="#para-{{ p.key }}">{{ p.number }}.</a>
<div class="prose"><p>{{ p.text }}</p></div>
<p class="para-tools"><a class="button small" href="/papers/1/p/{{ p.key }}">{{ p.count }}
comments</a></p>
<div class="thread" id="thread-{{ p.key }}"></div></article>{% endfor %}
</main></body></html>"""

PARAGRAPHS = [
    {
        "key": f"{n:012x}",
        "number": n + 1,
        "text": f"Paragraph {n} of the guide.",
        "count": 16 + (n % 2),
    }
    for n in range(300)
]

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/paper")
def paper():
    return render_template_string(PAGE, title="Long guide", paragraphs=PARAGRAPHS)
