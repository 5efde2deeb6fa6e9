"""Search: queries per second and p95 on the demo enlarged to 50,000 comments and 500 papers,
beside a bare FTS5 query on the same rows in the same run.

The demo is migrated and seeded through the `consult` command, then enlarged in bulk (papers
with their Rev.0 and paragraphs, and comments, in rooms of every access level) and indexed
with `consult.search.index.rebuild` (what `consult reindex` runs). Both sides then run the
same queries, one after the other, in-process on the same database: consult's `search()` for
a delegate (the match, the visible filters of every kind, the total, three facets and one page
of rows with their snippets), and the bare FTS5 query (the same match expression, the first
20 rows by rank and the count), which knows nothing of who may see what.

It ends with `RESULT search_p95_ms=... search_ratio=...` (consult's p95 over the bare p95).
Run from the repository root: `python -m bench.search` (or `make bench`).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from bench.common import exit_on_sigterm, machine, percentile, say, write_result
from tests.scaleout_support import Services, app_environment, consult_command

PAPERS = 500
COMMENTS = 50_000
PARAGRAPHS = 12  # per paper
QUERIES = 300  # per side (after WARMUP)
WARMUP = 20
SEARCHER = "delegate.germany"  # WGETI and its sub-working group, the post-shipment group
ROOMS = ("wgeti", "wgeti-art-6-7", "csp12", "post-shipment", "african-group", "csp12-states")
_VOCABULARY = (
    "transfer export import transit brokering diversion licence licensing end-use certificate "
    "verification delivery stockpile ammunition small arms light weapons control list customs "
    "authority risk assessment mitigation measures cooperation assistance reporting national "
    "practice authorisation post-shipment on-site inspection denial information exchange "
    "border shipment consignee intermediary marking tracing record keeping enforcement penalty "
    "legislation regulation agency inter-agency industry outreach training capacity fund "
    "implementation universalization transparency annual report article seven six eleven"
)
VOCABULARY = _VOCABULARY.split()
FILLER = "the of and to in a that for on with as by this is be are from".split()  # noqa: SIM905
#: Words searched: single words, pairs, a stem away from the text, a word found nowhere.
SEARCHES = (
    "diversion",
    "end-use certificate",
    "verifying deliveries",
    "stockpiles",
    "brokering",
    "licence denial",
    "post-shipment inspection",
    "customs",
    "marking tracing",
    "zyxxyq",
)


def _text(rng: random.Random, words: int) -> str:
    chosen = [
        rng.choice(VOCABULARY) if rng.random() < 0.6 else rng.choice(FILLER) for _ in range(words)
    ]
    return " ".join(chosen).capitalize() + "."


def enlarge(app, rng: random.Random) -> dict[str, int]:
    """500 papers (Rev.0, paragraphs) and 50,000 comments in bulk, then the index rebuilt."""
    from sqlalchemy import insert, select

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.papers.models import Comment, Paper, PaperKind, PaperStatus, Paragraph, Revision
    from consult.rooms.models import Room
    from consult.search import index
    from consult.timeutil import utcnow

    with app.app_context():
        rooms = db.session.scalars(select(Room).where(Room.slug.in_(ROOMS))).all()
        people = db.session.scalars(select(User)).all()
        now = utcnow()
        papers = [
            {
                "room_id": rooms[n % len(rooms)].id,
                "title": f"Paper {n}: {_text(rng, 6)}",
                "kind": PaperKind.WORKING_PAPER,
                "issued_by": "Chair",
                "status": PaperStatus.OPEN,
                "created_by_id": people[0].id,
                "created_at": now,
            }
            for n in range(PAPERS)
        ]
        paper_ids = list(db.session.scalars(insert(Paper).returning(Paper.id), papers))
        revisions = [
            {"paper_id": pid, "number": 0, "source": "", "created_by_id": people[0].id}
            for pid in paper_ids
        ]
        revision_ids = list(db.session.scalars(insert(Revision).returning(Revision.id), revisions))
        paragraphs = []
        for rid in revision_ids:
            for position in range(PARAGRAPHS):
                paragraphs.append(
                    {
                        "revision_id": rid,
                        "position": position,
                        "number": position + 1,
                        "key": f"k{rid}-{position}",
                        "text": _text(rng, 40),
                    }
                )
        paragraph_rows = db.session.execute(
            insert(Paragraph).returning(Paragraph.id, Paragraph.revision_id, Paragraph.key),
            paragraphs,
        ).all()
        # The revision's source is its paragraphs (what the index reads).
        by_revision: dict[int, list[str]] = {}
        for row in paragraphs:
            by_revision.setdefault(row["revision_id"], []).append(row["text"])
        for rid, texts in by_revision.items():
            db.session.execute(
                Revision.__table__.update()
                .where(Revision.id == rid)
                .values(source="\n\n".join(texts))
            )
        paper_of = dict(zip(revision_ids, paper_ids, strict=True))
        comments = []
        for n in range(COMMENTS):
            pid, rid, key = paragraph_rows[n % len(paragraph_rows)]
            author = people[n % len(people)]
            comments.append(
                {
                    "paper_id": paper_of[rid],
                    "paragraph_key": key,
                    "made_on_id": pid,
                    "depth": 0,
                    "author_id": author.id,
                    "delegation_id": author.delegation_id,
                    "on_behalf_of": "A delegation",
                    "body": _text(rng, 25),
                    "created_at": now,
                }
            )
        for start in range(0, len(comments), 5_000):
            db.session.execute(insert(Comment), comments[start : start + 5_000])
        started = time.perf_counter()
        counts = index.rebuild(db.session)
        db.session.commit()
        counts["rebuild_seconds"] = round(time.perf_counter() - started, 1)
    return counts


def measure(app) -> tuple[dict, dict]:
    """consult's search for the delegate, then the bare FTS5 query, on the same words."""
    from sqlalchemy import select, text

    from consult.accounts.models import User
    from consult.extensions import db
    from consult.search import services
    from consult.search.text import query_variants, words

    def summary(values: list[float], elapsed: float, found: int) -> dict:
        return {
            "queries": len(values),
            "qps": round(len(values) / elapsed, 1),
            "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "rows_found": found,
        }

    with app.app_context(), app.test_request_context():
        user = db.session.scalars(select(User).where(User.email.like(f"{SEARCHER}@%"))).one()
        plan = [SEARCHES[n % len(SEARCHES)] for n in range(WARMUP + QUERIES)]
        ours, found = [], 0
        started = None
        for n, q in enumerate(plan):
            if n == WARMUP:
                started = time.perf_counter()
            t = time.perf_counter()
            results = services.search(user, services.Query(text=q), include_gated=False)
            if n >= WARMUP:
                ours.append((time.perf_counter() - t) * 1000)
                found += results.total
        ours_summary = summary(ours, time.perf_counter() - started, found)
        bare, found = [], 0
        for n, q in enumerate(plan):
            if n == WARMUP:
                started = time.perf_counter()
            groups = [query_variants(w) for w in dict.fromkeys(w.lower() for w in words(q))]
            expression = services._fts_expression(groups)
            t = time.perf_counter()
            db.session.execute(
                text(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT 20"
                ),
                {"q": expression},
            ).all()
            total = db.session.execute(
                text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"), {"q": expression}
            ).scalar()
            if n >= WARMUP:
                bare.append((time.perf_counter() - t) * 1000)
                found += total
        bare_summary = summary(bare, time.perf_counter() - started, found)
        indexed = db.session.scalar(text("SELECT count(*) FROM search_document"))
        ours_summary["index_rows"] = bare_summary["index_rows"] = indexed
    return ours_summary, bare_summary


def main() -> None:
    exit_on_sigterm()
    info = machine()
    say(
        f"machine: {info['nproc']} cores, {info['memory_gib']} GiB, Python {info['python']}, "
        f"load average {info['load_average_1m']}; {PAPERS} papers, {COMMENTS} comments added"
    )
    from consult import create_app

    with Services("consult-bench-search-") as started:
        database_url = f"sqlite:///{Path(started.workdir) / 'consult.db'}"
        env = app_environment(started.workdir, database_url)
        consult_command(["init-db"], env)
        consult_command(["demo"], env)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "bench-search",
                "CONTENT_KEY": env["CONSULT_CONTENT_KEY"],
                "MAIL_BACKEND": "memory",
            }
        )
        counts = enlarge(app, random.Random(14))
        say(
            f"index rebuilt in {counts['rebuild_seconds']} s: {counts.get('comment')} comments, "
            f"{counts.get('revision')} revisions"
        )
        ours, bare = measure(app)
    ratio = round(ours["p95_ms"] / bare["p95_ms"], 2) if bare["p95_ms"] else None
    say(
        f"consult search ({SEARCHER}, visible filters, total, facets, snippets): "
        f"p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms, {ours['qps']} queries/s"
    )
    say(
        f"bare FTS5 (same match, 20 rows by rank and the count): p50 {bare['p50_ms']} ms, "
        f"p95 {bare['p95_ms']} ms, {bare['qps']} queries/s"
    )
    write_result(
        "search",
        {
            "papers": PAPERS,
            "comments": COMMENTS,
            "searches": list(SEARCHES),
            "index": counts,
            "consult": ours,
            "bare_fts5": bare,
            "p95_ratio": ratio,
        },
    )
    say(f"RESULT search_p95_ms={ours['p95_ms']} search_ratio={ratio}")


if __name__ == "__main__":
    main()
