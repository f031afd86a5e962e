"""core.searchindex: Japanese queries of any length, folding, scopes, ranking — the same on both databases.

The suite runs on SQLite and again on PostgreSQL; every expectation here is an exact list, so a
difference between the two databases fails one of the runs. ``test_results_match_the_python_oracle``
also checks every query of a table against a pure-Python reading of the documented semantics.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core import searchindex as si
from core.search import normalize

T = datetime(2026, 11, 1, tzinfo=timezone.utc)
PUBLIC: si.Scope = ("public", None)

# kind, ref, title, body, scope, days after T
DOCS = [
    ("case", 1, "名古屋市ほかの消防指令センター共同運用", "119番通報を受ける指令センターを7市町で共同運用し、運営人員を84人から58人に減らした。"
     "防災の要となる通信指令の広域化の例。", PUBLIC, 1),
    ("case", 2, "さいたま市と近隣9市町の図書館相互利用", "住民はどの市の図書館でも本を借りられる。令和4年度は他市町民の貸出が120,278人。", PUBLIC, 2),
    ("case", 3, "8市連携による災害ごみ処理の相互支援", "風水害の後の災害廃棄物を8市で融通する。平時から支援項目を共有し、防災訓練でも確認する。", PUBLIC, 3),
    ("case", 4, "瀬戸・高松広域連携のデータ連携基盤", "データを共有するプラットフォーム。ＤＸの基盤として防災情報も扱う。", PUBLIC, 4),
    ("page", 10, "防災", "チームの防災メモ。防災、防災、防災。", ("team", 1), 5),
    ("page", 11, "防災連携の提案（骨子）", "避難所の情報を市境を越えて共有する。", ("team", 1), 6),
    ("page", 12, "第3回 議事録", "ﾃﾞｰﾀ連携の担当を決めた。防災は次回。", ("team", 1), 7),
    ("page", 13, "調査メモ：子育て支援", "待機児童の状況を横浜市と川崎市で比べた。100%の達成は難しい。", ("team", 2), 8),
    ("page", 14, "期の共有ページ", "全チームの連絡先と、データ活用の勉強会の案内。_ と % を含む。", ("cohort", 5), 9),
    ("proposal", 20, "防災アプリの共同開発", "8市で一つの防災アプリを作る提案。", ("cohort", 5), 10),
]
EVERYTHING: list[si.Scope] = [PUBLIC, ("team", 1), ("team", 2), ("cohort", 5)]


@pytest.fixture()
def indexed(session):  # type: ignore[no-untyped-def]
    for kind, ref, title, body, (scope_type, scope_id), days in DOCS:
        si.index_document(session, kind=kind, ref_id=ref, title=title, body=body, url=f"/{kind}/{ref}",
                          scope_type=scope_type, scope_id=scope_id, updated_at=T + timedelta(days=days))
    session.commit()
    return session


def refs(page: si.SearchPage) -> list[int]:
    return [h.ref_id for h in page.hits]


def oracle(q: str, scopes: list[si.Scope], kinds: set[str] | None = None) -> list[int]:
    """The documented semantics, in Python: every term in title|body; title hits first, then body hits by
    how often the terms occur in the first SCORE_WINDOW characters."""
    terms = si.search_terms(q)
    if not terms:
        return []
    title_hits, body_hits = [], []
    for kind, ref, title, body, scope, days in DOCS:
        if scope not in scopes or (kinds is not None and kind not in kinds):
            continue
        tkey = normalize(title)
        key = tkey + "|" + normalize(body)
        if not all(t in key for t in terms):
            continue
        if all(t in tkey for t in terms):
            rank = 0 if tkey == "".join(terms) else 1 if tkey.startswith(terms[0]) else 2
            title_hits.append(((rank, -days, -ref), ref))
        else:
            score = sum(key[:si.SCORE_WINDOW].count(t) for t in terms)
            body_hits.append(((-score, -days, -ref), ref))
    return [r for _, r in sorted(title_hits)] + [r for _, r in sorted(body_hits)]


QUERIES = ["防", "防災", "連携", "データ", "でーた", "ﾃﾞｰﾀ", "ｄｘ", "DX", "防災 訓練", "8市", "８市", "100%", "_",
           "%", "市 共有", "横浜市", "指令センター", "しれい", "議事録", "ぎじろく", "存在しない言葉", "", "   "]


@pytest.mark.parametrize("q", QUERIES)
def test_results_match_the_python_oracle(indexed, q: str) -> None:
    page = si.search(indexed, q, scopes=EVERYTHING, limit=50)
    assert refs(page) == oracle(q, EVERYTHING)
    assert page.total == len(page.hits)


@pytest.mark.parametrize("q,expected", [
    ("防", [20, 11, 10, 1, 12, 4, 3]),  # one character: titles first (prefix before inside), then bodies
    ("防災", [10, 20, 11, 12, 4, 3, 1]),  # exact title, title prefix (newest first), then bodies
    ("連携", [11, 4, 3, 12]),
    ("でーた", [4, 14, 12]),  # hiragana finds katakana and half-width katakana
    ("ﾃﾞｰﾀ", [4, 14, 12]),
    ("ｄｘ", [4]),  # full width and case folded
    ("防災 訓練", [3]),  # every term must occur
    ("100%", [13]),  # LIKE wildcards are literal
    ("%", [14, 13]),
    ("チーム 連絡先", [14]),
])
def test_known_answers(indexed, q: str, expected: list[int]) -> None:
    assert refs(si.search(indexed, q, scopes=EVERYTHING, limit=50)) == expected


def test_scopes_restrict_what_is_found(indexed) -> None:
    assert refs(si.search(indexed, "防災", scopes=[PUBLIC])) == [4, 3, 1]  # same count: newest first
    assert refs(si.search(indexed, "防災", scopes=[PUBLIC, ("team", 2)])) == [4, 3, 1]
    assert refs(si.search(indexed, "防災", scopes=[("team", 1)])) == [10, 11, 12]
    assert refs(si.search(indexed, "防災", scopes=[])) == []
    assert refs(si.search(indexed, "データ", scopes=[("cohort", 5), ("cohort", 6)])) == [14]


def test_kinds_filter_and_facet_counts(indexed) -> None:
    page = si.search(indexed, "防災", scopes=EVERYTHING, kinds=["case"])
    assert refs(page) == [4, 3, 1]
    assert si.search(indexed, "防災", scopes=EVERYTHING).kinds_found == {"case": 3, "page": 3, "proposal": 1}


def test_pages_continue_across_title_and_body_hits(indexed) -> None:
    everything = refs(si.search(indexed, "防", scopes=EVERYTHING, limit=50))
    first = si.search(indexed, "防", scopes=EVERYTHING, limit=2)
    second = si.search(indexed, "防", scopes=EVERYTHING, limit=2, offset=2)
    third = si.search(indexed, "防", scopes=EVERYTHING, limit=3, offset=4)
    assert refs(first) + refs(second) + refs(third) == everything
    assert first.has_more and first.total == 7 and first.title_total == 4 and not third.has_more


def test_hits_are_highlighted_and_escaped(indexed, session) -> None:
    si.index_document(session, kind="page", ref_id=99, title="<b>ﾃﾞｰﾀ</b>活用", body="前置き。" * 30 + "データを使う。",
                      url="/p/99", scope_type="team", scope_id=9)
    hit = si.search(session, "でーた", scopes=[("team", 9)]).hits[0]
    assert str(hit.title_html) == "&lt;b&gt;<mark>ﾃﾞｰﾀ</mark>&lt;/b&gt;活用"
    assert "<mark>データ</mark>を使う。" in str(hit.excerpt_html) and str(hit.excerpt_html).startswith("…")


def test_reindex_replaces_and_remove_deletes(indexed, session) -> None:
    si.index_document(session, kind="page", ref_id=10, title="防犯メモ", body="夜道の見回り。", url="/page/10",
                      scope_type="team", scope_id=1)
    assert 10 not in refs(si.search(session, "防災", scopes=EVERYTHING))
    assert refs(si.search(session, "防犯", scopes=EVERYTHING)) == [10]
    grams = set(session.scalars(select(si.SearchTitleGram.gram).join(si.SearchEntry)
                                .where(si.SearchEntry.ref_id == 10, si.SearchEntry.kind == "page")))
    assert grams == si.title_grams(normalize("防犯メモ"))
    si.remove_document(session, "page", 10)
    si.remove_document(session, "page", 10)  # twice is harmless
    assert refs(si.search(session, "防犯", scopes=EVERYTHING)) == []
    assert session.scalar(select(func.count()).select_from(si.SearchEntry)) == len(DOCS) - 1


def test_terms_are_normalized_and_bounded() -> None:
    assert si.search_terms("  ＤＸ　防災  防災 ") == ("dx", "防災")
    assert si.search_terms("カタカナ") == ("かたかな",)
    assert len(si.search_terms(" ".join(f"語{i}" for i in range(20)))) == si.MAX_TERMS
    assert si.title_grams("防災") == {"防", "災", "防災"}


def test_ranking_looks_at_the_lead_of_long_documents(session) -> None:
    filler = "あ" * si.SCORE_WINDOW
    si.index_document(session, kind="page", ref_id=1, title="長い議事録", body="防災。" + filler + "防災。" * 50,
                      url="/1", scope_type="team", scope_id=1, updated_at=T + timedelta(days=2))
    si.index_document(session, kind="page", ref_id=2, title="短いメモ", body="防災、防災、防災。", url="/2",
                      scope_type="team", scope_id=1, updated_at=T)
    assert refs(si.search(session, "防災", scopes=[("team", 1)])) == [2, 1]
