"""Papers: the 300-paragraph, 5,000-comment paper page beside a bare Flask page that renders
the same paragraphs, both served the same way (gunicorn.conf.py, same worker) in the same run.

It prints p50/p95 latency and requests/s for both, the ratio, and the SQL statements the page
runs, then `RESULT papers_rps_ratio=... papers_p95_ms=... queries=...`.
Run from the repository root: `python -m bench.papers` (or `make bench`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from bench.common import (
    CHAIR,
    USER_AGENT,
    WORKER,
    app_environment,
    consult_deployment,
    cookie_header,
    exit_on_sigterm,
    machine,
    percentile,
    say,
    seeding,
    sign_in,
    worker_settings,
    write_result,
)
from tests.scaleout_support import Services

CONCURRENCY = 4
DURATION = 10  # seconds per page
MAX_REQUESTS = 5_000
PARAGRAPHS = 300
COMMENTS = 5_000


def seed_big_paper(database_url: str) -> int:
    """A 300-paragraph paper in WGETI with 5,000 comments (bulk-inserted), committed."""
    from sqlalchemy import insert, select

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.papers import services
    from consult.papers.models import Comment, PaperKind
    from consult.timeutil import utcnow

    with seeding(database_url, "bench-papers") as (room, chair):
        member = db.session.scalars(select(User).where(User.email.like("delegate.germany@%"))).one()
        paper = services.create_paper(
            room,
            chair,
            title="Long guide (benchmark)",
            kind=PaperKind.VOLUNTARY_GUIDE,
            issued_by="WGETI Chair",
            source="\n\n".join(f"Paragraph {n} of the guide." for n in range(PARAGRAPHS)),
        )
        paragraphs = services.paragraphs_of(services.current_revision(paper))
        now = utcnow()
        db.session.execute(
            insert(Comment),
            [
                {
                    "paper_id": paper.id,
                    "paragraph_key": paragraphs[i % PARAGRAPHS].key,
                    "made_on_id": paragraphs[i % PARAGRAPHS].id,
                    "depth": 0,
                    "author_id": member.id,
                    "delegation_id": member.delegation_id,
                    "on_behalf_of": "Germany",
                    "body": f"Comment {i} on the guide.",
                    "created_at": now,
                }
                for i in range(COMMENTS)
            ],
        )
        paper_id = paper.id  # read before the commit expires it
    return paper_id


def sample(url: str, headers: dict[str, str]) -> dict:
    """CONCURRENCY clients for DURATION seconds (bounded): latencies, requests/s, errors."""
    latencies: list[list[float]] = [[] for _ in range(CONCURRENCY)]
    errors = [0] * CONCURRENCY
    deadline = time.perf_counter() + DURATION

    def client(n: int) -> None:
        session = requests.Session()
        while time.perf_counter() < deadline and len(latencies[n]) < MAX_REQUESTS // CONCURRENCY:
            start = time.perf_counter()
            try:
                response = session.get(url, headers=headers, timeout=30, allow_redirects=False)
                if response.status_code != 200:
                    errors[n] += 1
                    continue
            except requests.RequestException:
                errors[n] += 1
                continue
            latencies[n].append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DURATION + 40)
    elapsed = time.perf_counter() - started
    every = [v for values in latencies for v in values]
    return {
        "requests": len(every),
        "errors": sum(errors),
        "rps": round(len(every) / elapsed, 2),
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
    }


def count_queries(database_url: str, path: str) -> int:
    """SQL statements of one view of the page, in-process, signed in as the chair."""
    import re

    from sqlalchemy import event

    from consult import create_app
    from consult.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-papers",
            "SESSION_COOKIE_SECURE": False,
            "MAIL_BACKEND": "memory",
        }
    )
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "PRAGMA", "ROLLBACK"}:
            statements.append(statement)

    client = app.test_client()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)
    ).group(1)
    client.post(
        "/sign-in",
        data={
            "email": f"{CHAIR}@demo.example.org",
            "password": "consult-demo",
            "csrf_token": token,
        },
    )
    client.get(path)  # warm: the first visit writes
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return len(statements)


def main() -> None:
    exit_on_sigterm()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"gunicorn worker {WORKER}, {CONCURRENCY} concurrent clients, {DURATION} s per page"
    )
    with Services("consult-bench-papers-") as started:
        app = consult_deployment(started)
        database_url = f"sqlite:///{Path(started.workdir) / 'consult.db'}"
        paper_id = seed_big_paper(database_url)
        env = app_environment(started.workdir, "sqlite://", None, **worker_settings())
        baseline = started.app(env, "papers-baseline", target="bench.papers_baseline:app")
        chair = sign_in(app.base_url, CHAIR)
        signed = {"User-Agent": USER_AGENT, "Cookie": cookie_header(chair)}
        path = f"/papers/{paper_id}"
        page = requests.get(app.base_url + path, headers=signed, timeout=30)
        if page.status_code != 200 or page.text.count("comments</a>") < PARAGRAPHS:
            raise RuntimeError(f"the paper page answered {page.status_code} without its counts")
        base = sample(f"{baseline.base_url}/paper", {"User-Agent": USER_AGENT})
        ours = sample(app.base_url + path, signed)
        queries = count_queries(database_url, path)
    ratio = round(ours["rps"] / base["rps"], 3) if base["rps"] else None
    say(
        f"paper page ({PARAGRAPHS} paragraphs, {COMMENTS} comments): p50 {ours['p50_ms']} ms, "
        f"p95 {ours['p95_ms']} ms, {ours['rps']} req/s ({ours['errors']} errors)"
    )
    say(
        f"bare Flask page, same paragraphs: p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms, "
        f"{base['rps']} req/s ({base['errors']} errors)"
    )
    say(f"consult/baseline req/s: {ratio}")
    say(f"paper page SQL queries: {queries}")
    write_result(
        "papers",
        {
            "paragraphs": PARAGRAPHS,
            "comments": COMMENTS,
            "concurrency": CONCURRENCY,
            "duration_s": DURATION,
            "consult": ours,
            "baseline": base,
            "rps_ratio": ratio,
            "queries": queries,
        },
    )
    say(f"RESULT papers_rps_ratio={ratio} papers_p95_ms={ours['p95_ms']} queries={queries}")


if __name__ == "__main__":
    main()
