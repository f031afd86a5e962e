"""Directory search at national scale: p95 of typical queries at 100,000 profiles, SQLite and PostgreSQL.

    python -m bench.directory_search [--people 100000] [--runs 30] [--sqlite-only | --postgresql-only]
        [--sqlite-path FILE] [--postgresql-url URL] [--reuse] [--seed-only] [--no-write]

`--seed-only` fills the databases once; `--reuse` then times them without seeding (an older
database is migrated first: 0008 adds the Latin trigrams, 0009 the person of each gram).

Each database is filled once with `seed-scale` data (kept between runs in bench/.data/ for SQLite;
PostgreSQL uses BENCH_DATABASE_URL, default the local renkei_bench database, recreated when the
count differs). A viewer of an ordinary member (no admin short-cut) runs each query as the page
does: count plus the first page, then the cards. Results go to bench/results/directory_search.json
and the table in docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "directory_search.json"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- directory:begin -->", "<!-- directory:end -->"
QUERIES = ["佐藤", "さとう", "sato", "satou hanako", "髙橋", "藤", "五島", "いがらし", "igarashi", "防災",
           "防災課", "ｻﾄｳ", "観光 主任", "子育て支援課", "DX", "存在しない名前"]


@contextmanager
def _quiet_progress(label: str, total: int):  # type: ignore[no-untyped-def]
    class Bar:
        done = 0

        def update(self, n: int) -> None:
            self.done += n
            print(f"\r  {label}: {self.done}/{total}", end="", file=sys.stderr, flush=True)

    yield Bar()
    print(file=sys.stderr)


def _app(url: str):  # type: ignore[no-untyped-def]
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RENKEI_ENV": "test", "SECRET_KEY": "bench" * 8,
                       "INSTANCE_PATH": str(ROOT / "bench" / ".data"), "MAIL_BACKEND": "memory"})


def _prepare(url: str, people: int, *, seed: bool = True) -> Any:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from core.cli import run_sync
    from core.extensions import db
    from core.scale import ScaleContext, hooks
    from directory.models import Profile

    app = _app(url)
    with app.app_context():
        upgrade()
        run_sync(app)
        have = db.session.scalar(select(func.count()).select_from(Profile)) or 0
        if seed and have < people:
            ctx = ScaleContext(session=db.session, rng=random.Random(2040), sizes={"people": people - have},
                               progress=_quiet_progress)
            started = time.perf_counter()
            for name, hook, _sizes in hooks(app):
                if name == "people":
                    print(f"  seeding: {hook(ctx)} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return app


def _measure(app: Any, runs: int) -> dict[str, Any]:
    from sqlalchemy import select

    from core.extensions import db
    from directory.present import cards
    from directory.search import search
    from directory.visibility import Viewer
    from people.models import User

    print(f"  load average before: {os.getloadavg()}", file=sys.stderr)
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email.like("scale%")).order_by(User.id).limit(1))
        viewer = Viewer.of(member)
        out: dict[str, Any] = {}
        for q in QUERIES:
            times, hits = [], 0
            for i in range(runs + 2):
                started = time.perf_counter()
                result = search(db.session, viewer, q)
                cards(db.session, viewer, result.ids, today=date(2026, 11, 25))
                elapsed = (time.perf_counter() - started) * 1000
                db.session.rollback()
                if i >= 2:  # two warm-up runs
                    times.append(elapsed)
                hits = result.total
            times.sort()
            out[q] = {"hits": hits, "median_ms": round(statistics.median(times), 2),
                      "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2), "max_ms": round(times[-1], 2)}
            print(f"  {q:<16} hits {hits:>6}  median {out[q]['median_ms']:>7} ms  p95 {out[q]['p95_ms']:>7} ms",
                  file=sys.stderr)
        all_times = [v["p95_ms"] for v in out.values()]
        return {"queries": out, "worst_p95_ms": max(all_times), "load_average_after": [round(x, 2) for x in os.getloadavg()]}


def _postgres_url(url: str | None = None) -> str:
    from sqlalchemy import create_engine, text

    url = url or os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/renkei_bench")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.rsplit("/", 1)[1]}).first()
        if not exists:
            conn.execute(text(f"CREATE DATABASE {url.rsplit('/', 1)[1]} TEMPLATE template0 ENCODING 'UTF8'"))
    engine.dispose()
    return url


def _write(results: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    dbs = [k for k in ("sqlite", "postgresql") if k in results]
    met = all(results[d]["worst_p95_ms"] < 50 for d in dbs)
    loads = ", ".join(f"{d} {results[d].get('load_average_after', ['?'])[0]}" for d in dbs)
    lines = [BEGIN, "", "Measured by `python -m bench.directory_search`; raw numbers in",
             "`bench/results/directory_search.json`. Machine: " + results["machine"] + ".", "",
             "## Directory search at %s profiles — target %s" % (f"{results['people']:,}", "met" if met else "NOT met"),
             "",
             "Each timing is one search as the page runs it: the count, the first page of 20 ranked by name",
             "match, and the cards (affiliation, tags, cohorts) of that page, for an ordinary member (so the",
             "visibility conditions are in every query). %d runs per query after two warm-up runs." % results["runs"],
             "Target: p95 under 50 ms on both databases. 1-minute load average when each database finished: "
             + loads + " (on 2 cores: other work shared the machine, so these are upper bounds).", ""]
    lines.append("| query | hits | " + " | ".join(f"{d} median ms | {d} p95 ms" for d in dbs) + " |")
    lines.append("|---|---:|" + "---:|---:|" * len(dbs))
    for q in QUERIES:
        row = [q, str(results[dbs[0]]["queries"][q]["hits"])]
        for d in dbs:
            r = results[d]["queries"][q]
            row += [str(r["median_ms"]), str(r["p95_ms"])]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for d in dbs:
        ok = "under" if results[d]["worst_p95_ms"] < 50 else "NOT under"
        lines.append(f"- {d}: worst p95 {results[d]['worst_p95_ms']} ms ({ok} 50 ms).")
    lines += ["", "A hit count of 1000 means \"1,000+\": the search counts and ranks at most 1,000 people",
              "(`directory.search.CAP`); the page says so and the API returns `capped: true`.", "",
              "### How the search works (directory/search.py)",
              "- One statement streams the matches, driven by the rarest gram of one term (per-gram counts",
              "  that stop at 1,000 rows choose it); the next rarest gram is probed for the same field, then",
              "  `LIKE` verifies and the viewer's visibility of that field is checked. Other terms are",
              "  checked first from the index alone (the people who have the term's rarest gram: the",
              "  gram table's key is (gram, user id, field), migration 0009_directory_gram_person), then",
              "  on that person's few field rows. The first 1,001 distinct people are read, ranked in",
              "  Python (exact name, prefix, name, other fields; then reading) and paged.",
              "- The second gram of the driving term is the next rarest; among grams whose counts stopped at",
              "  1,000 it is the one farthest from the first (`子育` and `援課` for `子育て支援課`, not the",
              "  neighbours `子育` and `育て`, which both match every `子育て` interest).",
              "- Latin terms of 3+ characters start from Latin trigrams, which the gram table also stores",
              "  (migration 0008_directory_speed): romaji bigrams such as `sa`, `to` are in most names.",
              "- PostgreSQL connections run with `jit = off`: the planner's estimate of the visibility",
              "  subqueries made it JIT-compile every search (0.4–0.6 s for a 10 ms query).",
              "- SQLite connections get a 64 MB page cache and a memory map.", "",
              "### Where the time goes (PostgreSQL, idle machine, after migration 0009)",
              "- The search (the gram counts, then streaming ~1,000 matching people with five index lookups",
              "  each, and ~4 ms of planning for the visibility subqueries): 13–21 ms median. The stream is",
              "  fetched 1,200 rows at a time (`directory.search.FETCH`): 500 took three round trips and",
              "  was ~30% slower; 2,500 or more made the server compute rows nobody reads.",
              "- The cards of the page (ORM loading, 6 statements): 7–9 ms median.",
              "- The table's figures are higher than these parts: the benchmark runs both databases in one",
              "  process, one after the other; single runs vary by ±10 ms on this virtual machine.",
              "- Tried without gain: the viewer's cohort ids as literal values instead of a subquery, a",
              "  higher count limit for choosing the rarest gram. A smaller cap (500) would be faster but",
              "  would halve what the page can rank.", "",
              "### History",
              "- Before migration 0009 (same seeded data, idle machine, 2026-11-26): PostgreSQL '観光 主任'",
              "  p95 84 ms (the first term's ~5,600 candidate fields each looked up the person's fields for",
              "  the second), '子育て支援課' 64 ms (neighbouring grams), '防災課' 60 ms; SQLite worst 41 ms.",
              "- First measurement (bigram IN-subqueries, exact count and ranking of every match; machine",
              "  busy with test suites): worst p95 1,069 ms on SQLite ('観光 主任'), 3,662 ms on PostgreSQL",
              "  ('satou hanako'); PostgreSQL run stopped after 8 queries.",
              "- The old code re-timed on the same seeded data in the session of this change (10 runs, load",
              "  about 6): SQLite worst p95 1,107 ms ('観光 主任'); PostgreSQL 'sato' 1,080 ms, '観光 主任'",
              "  3,436 ms, '防災' 85 s (JIT plus a parallel plan over every match).", "", END]
    write_section(DOC, BEGIN, END, "\n".join(lines))


def write_section(doc: Path, begin: str, end: str, block: str) -> None:
    """Replace the text between ``begin`` and ``end`` in ``doc`` (append it the first time), so each
    benchmark rewrites only its own part of docs/performance.md."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--sqlite-path", default=None,
                        help="SQLite file to fill once and keep (default bench/.data/directory-N.sqlite3)")
    parser.add_argument("--postgresql-url", default=None, help="default BENCH_DATABASE_URL or local renkei_bench")
    parser.add_argument("--reuse", action="store_true",
                        help="time the existing databases without seeding (they must have been filled before)")
    parser.add_argument("--seed-only", action="store_true", help="fill the databases, do not time")
    parser.add_argument("--no-write", action="store_true", help="print the timings only")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    os.environ.setdefault("RENKEI_INSTANCE", str(ROOT / "bench" / ".data"))
    (ROOT / "bench" / ".data").mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"people": args.people, "runs": args.runs,
                               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    if not args.postgresql_only:
        print(f"sqlite ({args.people} people)", file=sys.stderr)
        path = args.sqlite_path or ROOT / "bench" / ".data" / f"directory-{args.people}.sqlite3"
        app = _prepare(f"sqlite:///{path}", args.people, seed=not args.reuse)
        if not args.seed_only:
            results["sqlite"] = _measure(app, args.runs)
    if not args.sqlite_only:
        print(f"postgresql ({args.people} people)", file=sys.stderr)
        app = _prepare(_postgres_url(args.postgresql_url), args.people, seed=not args.reuse)
        if not args.seed_only:
            results["postgresql"] = _measure(app, args.runs)
    if args.seed_only or args.no_write:
        return
    _write(results)
    print(f"wrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
