"""Directory search at national scale: p95 of typical queries at 100,000 profiles, SQLite and PostgreSQL.

    python -m bench.directory_search [--people 100000] [--runs 30] [--sqlite-only]

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
        return {"queries": out, "worst_p95_ms": max(all_times)}


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
    lines = ["# Performance", "", "Measured by `make bench` (`python -m bench.directory_search`); raw numbers in",
             "`bench/results/directory_search.json`. Machine: " + results["machine"] + ".", "",
             "## Directory search at %s profiles" % f"{results['people']:,}", "",
             "Each timing is one search as the page runs it: the count, the first page of 20 ranked by name",
             "match, and the cards (affiliation, tags, cohorts) of that page, for an ordinary member (so the",
             "visibility conditions are in every query). %d runs per query after two warm-up runs." % results["runs"],
             "Target: p95 under 50 ms on both databases.", ""]
    dbs = [k for k in ("sqlite", "postgresql") if k in results]
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
    lines += ["", "How it stays fast: see docs/decisions/0003-directory-privacy.md (bigram table with",
              "visibility per field, prefix range for one character, the two rarest bigrams, LIKE verification).", ""]
    DOC.write_text("\n".join(lines), encoding="utf-8")


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
