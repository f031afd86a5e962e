"""Measure core.searchindex on a synthetic corpus (numbers quoted in docs/decisions/0002-search.md).

    python -m bench.search_index --docs 20000                      # SQLite in a temporary file
    python -m bench.search_index --docs 20000 --url postgresql+psycopg://postgres@127.0.0.1/renkei_wiki

The PostgreSQL run empties the database's public schema first: never point it at real data.
Besides our design it times the alternatives the decision weighs: SQLite FTS5 ``trigram`` and
PostgreSQL ``pg_trgm`` (when the extension is available) on the same normalized keys.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

WORDS = ("防災", "訓練", "避難所", "広域連携", "子育て", "支援", "医療", "介護", "観光", "交通", "人口減少", "データ", "共有",
         "協定", "職員", "研修", "横浜市", "川崎市", "町田市", "藤沢市", "応援", "計画", "予算", "委託", "検討", "会議",
         "提案", "効果", "継続性", "新規性", "住民", "サービス", "施設", "図書館", "消防", "救急", "水道", "下水道",
         "ごみ処理", "脱炭素", "デジタル", "オンライン", "窓口", "申請", "公共交通", "高齢者", "保育所", "学校", "2040年")
PARTICLES = ("の", "を", "に", "と", "は", "が", "で", "、", "。", "について", "のための")
RARE = "五島"  # appears in a handful of documents only
QUERIES = ("防", "防災", RARE, "避難所", "でーた", "避難所 共有", "ごみ処理の広域化")


def sentence(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(PARTICLES) for _ in range(n))


def corpus(n: int, body_chars: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        body = f"{RARE}市との比較も行った。" if i % 1000 == 0 else ""
        while len(body) < body_chars:
            body += sentence(rng, 12) + "\n"
        docs.append((sentence(rng, 3)[:30], body[:body_chars]))
    return docs


def timed(fn: Callable[[], Any], runs: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--chars", type=int, default=2500)
    parser.add_argument("--url", default="")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from core import searchindex
    from core.extensions import db

    folder = tempfile.mkdtemp(prefix="renkei-bench-")
    url = args.url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"RENKEI_ENV": "test", "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": folder})
    with app.app_context():
        upgrade()
        session = db.session
        dialect = session.get_bind().dialect.name
        docs = corpus(args.docs, args.chars)
        start = time.perf_counter()
        for i, (title, body) in enumerate(docs, start=1):
            searchindex.index_document(session, kind="page", ref_id=i, title=title, body=body, url=f"/p/{i}",
                                       scope_type="team", scope_id=i % 50)
            if i % 500 == 0:
                session.commit()
        session.commit()
        build = time.perf_counter() - start
        grams = session.scalar(text("SELECT count(*) FROM search_title_gram"))
        print(f"## {dialect}: {args.docs} documents × {args.chars} characters "
              f"(indexed in {build:.1f} s; {grams} title grams)\n")
        scopes_all = [("team", i) for i in range(50)]
        scopes_few = [("team", i) for i in range(5)]
        rows = []
        for q in QUERIES:  # our design, with nothing else installed
            ms_all, page = timed(lambda: searchindex.search(session, q, scopes=scopes_all))  # noqa: B023
            ms_few, _ = timed(lambda: searchindex.search(session, q, scopes=scopes_few))  # noqa: B023
            term = searchindex.search_terms(q)[0]
            ms_like, _ = timed(lambda: session.execute(text(  # noqa: B023
                "SELECT count(*) FROM search_entry WHERE key LIKE :p"), {"p": f"%{term}%"}).scalar())
            rows.append([q, page.total, ms_all, ms_few, ms_like, term])
        alternative = _alternative(session, dialect)  # then the alternative, on the same keys
        print("| query | hits | search() all scopes | search() 5 of 50 teams | plain LIKE count | alternative "
              "| search() all scopes, alternative installed |")
        print("|---|---|---|---|---|---|---|")
        for q, total, ms_all, ms_few, ms_like, term in rows:
            alt = alternative(term) if alternative else "—"
            again, _ = timed(lambda: searchindex.search(session, q, scopes=scopes_all))  # noqa: B023
            print(f"| {q} | {total} | {ms_all:.1f} ms | {ms_few:.1f} ms | {ms_like:.1f} ms | {alt} | {again:.1f} ms |")
        session.remove()


def _alternative(session: Any, dialect: str) -> Callable[[str], str] | None:
    """FTS5 trigram (SQLite) or pg_trgm (PostgreSQL) over the same keys, for comparison."""
    if dialect == "sqlite":
        session.execute(text("CREATE VIRTUAL TABLE bench_fts USING fts5(key, tokenize='trigram')"))
        session.execute(text("INSERT INTO bench_fts(rowid, key) SELECT id, key FROM search_entry"))
        session.commit()

        def fts(term: str) -> str:
            ms, n = timed(lambda: session.execute(text("SELECT count(*) FROM bench_fts WHERE key LIKE :p"),
                                                  {"p": f"%{term}%"}).scalar())
            return f"FTS5 trigram LIKE: {n} rows, {ms:.1f} ms"

        return fts
    available = session.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        return None
    session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    session.execute(text("CREATE INDEX bench_trgm ON search_entry USING gin (key gin_trgm_ops)"))
    session.commit()

    def trgm(term: str) -> str:
        ms, n = timed(lambda: session.execute(text("SELECT count(*) FROM search_entry WHERE key LIKE :p"),
                                              {"p": f"%{term}%"}).scalar())
        return f"pg_trgm GIN LIKE: {n} rows, {ms:.1f} ms"

    return trgm


if __name__ == "__main__":
    main()
