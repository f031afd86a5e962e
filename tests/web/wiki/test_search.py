"""/search finds pages and cases with short Japanese queries, and only what the searcher may read."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests import factories
from tests import factories_wiki as fw
from wiki.cases import services as cases


@pytest.fixture()
def pages(w, indb):  # type: ignore[no-untyped-def]
    with indb() as session:
        fw.page(w.ws1, "防災訓練の計画", "8市合同の訓練を年1回行う。", author=w.yoko)
        fw.page(w.ws1, "公開メモ", "防災アプリの比較。ボウサイ情報。", author=w.yoko, published=True)
        fw.page(w.ws2, "子育て支援の調査", "病児保育と防災の両方を扱う。", author=w.zushi)
        fw.page(w.shared, "全体連絡", "防災の講師を招く。", author=w.fac)
        fw.page(fw.cohort_space(w.old), "昨年度の防災メモ", "過去の記録。", author=w.other)
        cases.sync_cases(session)
        session.commit()
    return w


def titles(client, q: str, **args: str) -> str:  # type: ignore[no-untyped-def]
    return client.get("/search", query_string={"q": q, **args}).get_data(as_text=True)


def test_members_find_their_team_pages_the_cohort_and_the_library(pages, login) -> None:
    body = titles(login(pages.yoko), "防災")
    for found in ("防災訓練の計画", "公開メモ", "全体連絡"):
        assert found in body.replace("<mark>", "").replace("</mark>", "")
    assert "子育て支援の調査" not in body and "昨年度の防災メモ" not in body
    assert "<mark>防災</mark>" in body and "事例" in body


def test_other_teams_see_only_published_pages(pages, login) -> None:
    body = titles(login(pages.zushi), "防災").replace("<mark>", "").replace("</mark>", "")
    assert "公開メモ" in body and "子育て支援の調査" in body and "全体連絡" in body
    assert "防災訓練の計画" not in body


def test_facilitators_and_the_secretariat_see_every_team(pages, login, person) -> None:
    body = titles(login(pages.fac), "防災").replace("<mark>", "").replace("</mark>", "")
    assert "防災訓練の計画" in body and "子育て支援の調査" in body and "昨年度の防災メモ" not in body
    admin = titles(login(person(factories.admin)), "防災").replace("<mark>", "").replace("</mark>", "")
    assert "昨年度の防災メモ" in admin and "防災訓練の計画" in admin


def test_outsiders_find_only_the_case_library(pages, login, person) -> None:
    coordinator = person(factories.coordinator)
    body = titles(login(coordinator), "防災").replace("<mark>", "").replace("</mark>", "")
    assert "防災訓練の計画" not in body and "全体連絡" not in body and "公開メモ" not in body
    assert "防災データ連携基盤" in body
    alumnus = titles(login(pages.other), "防災").replace("<mark>", "").replace("</mark>", "")
    assert "昨年度の防災メモ" in alumnus and "全体連絡" not in alumnus


def test_one_character_kana_folding_and_kind_filter(pages, login) -> None:
    client = login(pages.yoko)
    assert "防災訓練の計画" in titles(client, "訓").replace("<mark>", "").replace("</mark>", "")
    assert "公開メモ" in titles(client, "ぼうさい").replace("<mark>", "").replace("</mark>", "")  # ボウサイ
    only_cases = titles(client, "防災", kind="case")
    assert "防災訓練の計画" not in only_cases.replace("<mark>", "").replace("</mark>", "") and "事例" in only_cases
    assert "検索できる言葉がありません" in titles(client, "・・・")
    assert "見つかりませんでした" in titles(client, "量子コンピュータ")


def test_results_are_paged(pages, login) -> None:
    client = login(pages.yoko)
    first = titles(client, "市")
    assert "次へ" in first
    second = client.get("/search", query_string={"q": "市", "offset": 20}).get_data(as_text=True)
    assert 'start="21"' in second and "前へ" in second


def test_terms_past_the_limit_are_named_not_silently_dropped(pages, login) -> None:
    client = login(pages.yoko)
    body = titles(client, "防災 訓練 計画 8市 合同 年1回 予算 講師")
    assert "検索に使うのは最初の6語までです。次の語は使っていません：予算、講師" in body
    assert body.count('class="wiki-result-title"') == 1 and quote("防災訓練の計画") in body  # six terms still search
    assert "次の語は使っていません" not in titles(client, "防災 訓練")
