"""Main pages under load with gunicorn, against a bare Flask "hello" on the same settings.

    python -m bench.load [--sqlite-only | --postgres-only] [--people 100000] [--proposals 5000]
                         [--pages 20000] [--duration 20] [--users 16] [--workers 4]

For each database: fill it once (demo data, then `flask seed-scale` at the requested sizes; kept in
bench/.data/ for SQLite and in BENCH_LOAD_DATABASE_URL, default the local renkei_load database, for
PostgreSQL, and refilled when the sizes change), write the plan of who signs in and what they touch
(bench.load_plan), serve the app with gunicorn on 127.0.0.1, and drive it with locust headless:

1. the bare hello app, for the ceiling;
2. each main page alone (home "this week", directory search, a team wiki page, a proposal, the
   review dashboard), every virtual user signed in as a different participant;
3. the deadline-peak mix: two reads to one write (submissions, wiki saves, review drafts).

Reported per run: requests per second, p50 and p95 in ms, failures; per page, its share of the
hello ceiling (target: at least 1/4). Results go to bench/results/load.json and the "Main pages
under load" section of docs/performance.md. Rate limits are off for the run (every virtual user
comes from 127.0.0.1, so the sign-in limit would refuse them), mail goes to the memory backend,
and the scheduler does not run.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results" / "load.json"
DOC = ROOT / "docs" / "performance.md"
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/renkei_load"
PAGES = ["home", "directory", "wiki", "proposal", "reviews"]
PASSWORD = "renkei-demo-2025"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "RENKEI_ENV": "production", "SECRET_KEY": "bench-" + "k" * 40,
                "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0", "MAIL_BACKEND": "memory",
                "RENKEI_INSTANCE": str(DATA / "instance-load"), "FLASK_APP": "app", "PYTHONPATH": str(ROOT)})
    env.pop("RENKEI_RUN_SCHEDULER", None)
    env.update(extra)
    return env


def _flask(url: str, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=_env(url, RENKEI_ENV="development"), check=True)


def _reset(kind: str, url: str) -> None:
    if kind == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _ensure_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def prepare(kind: str, url: str, sizes: dict[str, int]) -> Path:
    """Fill the database once for these sizes; write and return the plan file."""
    DATA.mkdir(parents=True, exist_ok=True)
    marker = DATA / f"load-{kind}.json"
    plan_path = DATA / f"load-plan-{kind}.json"
    if kind == "postgresql":
        _ensure_pg_database(url)
    wanted = {"sizes": sizes, "url": url}
    refill = not marker.exists() or json.loads(marker.read_text()) != wanted
    if refill:
        _reset(kind, url)
    _flask(url, "db", "upgrade")  # a kept database follows the code's migrations
    if refill:
        print(f"  filling {kind} ({sizes}) — once; later runs reuse it", flush=True)
        marker.unlink(missing_ok=True)
        _flask(url, "sync")
        _flask(url, "seed-demo")
        _flask(url, "seed-scale", "--people", str(sizes["people"]), "--proposals", str(sizes["proposals"]),
               "--pages", str(sizes["pages"]))
        marker.write_text(json.dumps(wanted))
    from app import create_app
    from bench import load_plan
    from core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RENKEI_ENV": "test", "SECRET_KEY": "bench" * 8,
                      "INSTANCE_PATH": str(DATA / "instance-load"), "MAIL_BACKEND": "memory"})
    with app.app_context():
        plan = load_plan.build(db.session, PASSWORD)
        db.session.remove()
        db.engine.dispose()
    if not plan["users"]:
        raise SystemExit("the plan has no users: the open cohort has no team members")
    plan_path.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    return plan_path


class Server:
    """gunicorn on a free port, started and stopped around a block."""

    def __init__(self, target: str, env: dict[str, str], workers: int) -> None:
        self.port = _free_port()
        self.cmd = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                    "--backlog", "2048", "--log-level", "warning", target]
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.host + "/", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer on {self.host}")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_locust(host: str, scenario: str, plan: Path | None, users: int, duration: int) -> dict[str, Any]:
    prefix = DATA / f"locust-{scenario.replace(':', '-')}"
    env = dict(os.environ, RENKEI_LOAD_SCENARIO=scenario, PYTHONPATH=str(ROOT))
    if plan is not None:
        env["RENKEI_LOAD_PLAN"] = str(plan)
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "--host", host, "-u", str(users), "-r", str(max(users, 1)), "-t", f"{duration}s",
                    "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
            }
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with open(failures_csv, encoding="utf-8") as fh:
            failures = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(fh)]
    return {"rows": rows, "failure_messages": failures[:10]}


def bench_database(kind: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    sizes = {"people": args.people, "proposals": args.proposals, "pages": args.pages}
    plan = prepare(kind, url, sizes)
    out: dict[str, Any] = {"sizes": sizes, "pages": {}, "mix": None}
    with Server("bench.hello:app", _env(url), args.workers) as hello:
        ceiling = run_locust(hello.host, "hello", None, args.users, args.duration)["rows"]["hello"]
    out["hello"] = ceiling
    print(f"  hello: {ceiling['rps']} req/s, p95 {ceiling['p95_ms']} ms", flush=True)
    with Server("app:create_app()", _env(url), args.workers) as server:
        for page in PAGES:
            result = run_locust(server.host, f"page:{page}", plan, args.users, args.duration)
            row = result["rows"][page]
            row["ratio"] = round(row["rps"] / ceiling["rps"], 3) if ceiling["rps"] else 0.0
            row["failure_messages"] = result["failure_messages"]
            out["pages"][page] = row
            print(f"  {page}: {row['rps']} req/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                  f"{row['ratio']:.2f} of hello, {row['failures']} failures", flush=True)
        mix = run_locust(server.host, "mix", plan, args.mix_users, args.mix_duration)
        out["mix"] = {"users": args.mix_users, "duration_s": args.mix_duration, **mix}
        agg = mix["rows"].get("Aggregated", {})
        print(f"  deadline mix ({args.mix_users} users): {agg.get('rps')} req/s, p95 {agg.get('p95_ms')} ms, "
              f"{agg.get('failures')} failures", flush=True)
        for message in mix["failure_messages"]:
            print(f"    {message}", flush=True)
    return out


def _table(results: dict[str, Any]) -> str:
    lines = [BEGIN, "", "## Main pages under load (gunicorn + locust)", "", f"Measured {results['date']} on {results['machine']} (load average before the run: "
             f"{results['load_before']}); gunicorn {results['settings']['workers']} sync workers, locust "
             f"{results['settings']['users']} users for {results['settings']['duration_s']} s per page, "
             "no think time. Raw numbers: `bench/results/load.json`.", ""]
    for kind, res in results["databases"].items():
        s = res["sizes"]
        lines += [f"### {kind} ({s['people']:,} people, {s['proposals']:,} proposals, {s['pages']:,} wiki pages)", "",
                  "| page | req/s | p50 ms | p95 ms | share of hello | failures |", "|---|---:|---:|---:|---:|---:|",
                  f"| bare Flask hello (ceiling) | {res['hello']['rps']} | {res['hello']['p50_ms']:.0f} | "
                  f"{res['hello']['p95_ms']:.0f} | 1 | {res['hello']['failures']} |"]
        for page, row in res["pages"].items():
            verdict = "" if row["ratio"] >= 0.25 else " (below 1/4)"
            lines.append(f"| {page} | {row['rps']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
                         f"{row['ratio']:.2f}{verdict} | {row['failures']} |")
        mix = res["mix"]
        lines += ["", f"Deadline-peak mix, {mix['users']} signed-in users for {mix['duration_s']} s "
                  "(two reads to one write, 0.2–0.8 s think time):", "",
                  "| request | count | req/s | p50 ms | p95 ms | failures |", "|---|---:|---:|---:|---:|---:|"]
        for name, row in sorted(mix["rows"].items(), key=lambda kv: (kv[0] == "Aggregated", kv[0])):
            lines.append(f"| {name} | {row['requests']} | {row['rps']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
                         f"{row['failures']} |")
        if mix["failure_messages"]:
            lines += ["", "Failures: " + "; ".join(mix["failure_messages"])]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_doc(results: dict[str, Any]) -> None:
    from bench.directory_search import write_section

    write_section(DOC, BEGIN, END, _table(results))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=5_000)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--users", type=int, default=16, help="concurrent users per page run")
    parser.add_argument("--mix-users", type=int, default=24)
    parser.add_argument("--mix-duration", type=int, default=60)
    parser.add_argument("--prepare-only", action="store_true", help="fill the databases and write the plans")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    args = parser.parse_args(argv)
    if shutil.which("locust", path=str(BIN)) is None:
        raise SystemExit("locust is not installed: pip install -e '.[bench]'")
    kinds = []
    if not args.postgres_only:
        kinds.append(("sqlite", f"sqlite:///{DATA / 'load.sqlite3'}"))
    if not args.sqlite_only:
        kinds.append(("postgresql", os.environ.get("BENCH_LOAD_DATABASE_URL", PG_DEFAULT)))
    results: dict[str, Any] = {
        "date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}", "load_before": round(os.getloadavg()[0], 2),
        "settings": {"workers": args.workers, "users": args.users, "duration_s": args.duration},
        "databases": {},
    }
    if args.prepare_only:
        for kind, url in kinds:
            prepare(kind, url, {"people": args.people, "proposals": args.proposals, "pages": args.pages})
        return
    for kind, url in kinds:
        print(f"== {kind}", flush=True)
        results["databases"][kind] = bench_database(kind, url, args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    write_doc(results)
    print(f"wrote {RESULTS.relative_to(ROOT)} and docs/performance.md")


if __name__ == "__main__":
    main()
