"""The case library: the seed file, the sync, filters, proposals and decisions."""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from core.errors import DomainError
from core.searchindex import SearchEntry, search
from curriculum.moduletext import load_dir
from tests import factories
from tests import factories_wiki as fw
from wiki.cases import services
from wiki.cases.labels import FIELDS, KINDS
from wiki.cases.models import Case, CaseStatus


def test_the_seed_file_is_complete_and_uses_known_codes() -> None:
    rows = yaml.safe_load(services.SEED_FILE.read_text(encoding="utf-8"))
    assert len(rows) >= 25 and len({r["slug"] for r in rows}) == len(rows)
    for row in rows:
        assert row["field"] in FIELDS and row["kind"] in KINDS, row["slug"]
        assert row["title"] and row["summary"] and row["bodies"] and row["source"], row["slug"]


def test_sync_is_idempotent_and_indexes_the_cases(session) -> None:
    first = services.sync_cases(session)
    assert first.startswith("38 cases added")
    assert services.sync_cases(session) == "0 cases added, 0 updated, 38 unchanged"
    assert session.scalar(select(func.count()).select_from(Case)) == 38
    assert session.scalar(select(func.count()).select_from(SearchEntry).where(SearchEntry.kind == "case")) == 38
    titles = [h.title for h in search(session, "図書館", scopes=[("public", None)]).hits]
    assert any("図書館" in t for t in titles)


def test_sync_updates_seed_cases_but_not_edited_ones(session, tmp_path) -> None:
    services.sync_cases(session)
    seed = yaml.safe_load(services.SEED_FILE.read_text(encoding="utf-8"))
    seed[0]["period"] = "2020年度〜（更新）"
    seed[1]["period"] = "上書きされない"
    changed = tmp_path / "cases.yaml"
    changed.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    edited = services.by_slug(session, seed[1]["slug"])
    edited.edited_at = fw.T0
    assert services.sync_cases(session, changed) == "0 cases added, 1 updated, 37 unchanged"
    assert services.by_slug(session, seed[0]["slug"]).period == "2020年度〜（更新）"
    assert services.by_slug(session, seed[1]["slug"]).period != "上書きされない"


def test_sync_refuses_unknown_codes(session, tmp_path) -> None:
    bad = tmp_path / "cases.yaml"
    bad.write_text("- {slug: x, title: 例, bodies: [横浜市], field: weather, kind: agreement, summary: 概要}\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match="unknown_field"):
        services.sync_cases(session, bad)


def test_filters_and_city_choices(session) -> None:
    services.sync_cases(session)
    eight = services.list_cases(session, city="横浜市")
    assert eight.total >= 5 and all("横浜市" in c.body_names for c in eight.cases)
    both = services.list_cases(session, city="横浜市", field="disaster", kind="agreement")
    assert [c.slug for c in both.cases] == ["yokohama-disaster-mutual-aid"]  # 横浜市鶴見区 is not 横浜市
    searched = services.list_cases(session, q="防災", field="disaster")
    assert searched.cases and all(c.field == "disaster" for c in searched.cases)
    choices = services.city_choices(session)
    assert [name for name, _ in choices[:8]] == ["横浜市", "川崎市", "横須賀市", "鎌倉市", "藤沢市", "逗子市", "大和市", "町田市"]
    assert services.list_cases(session, page=2).page == 2 and services.list_cases(session).pages == 2


def _input(**kw):  # type: ignore[no-untyped-def]
    data = dict(title="試験の事例", title_en="Test Case", bodies=["横浜市"], prefecture="神奈川県", field="tourism",
                kind="joint_project", period="", summary="概要", results="", source="")
    data.update(kw)
    return services.CaseInput(**data)


@pytest.mark.parametrize("change,field", [({"title": " "}, "title"), ({"bodies": []}, "bodies"),
                                          ({"field": "x"}, "field"), ({"kind": "x"}, "kind"),
                                          ({"summary": ""}, "summary"), ({"bodies": ["市"] * 31}, "bodies")])
def test_proposals_are_checked(session, change, field) -> None:
    with pytest.raises(DomainError) as error:
        services.propose(session, _input(**change), author=factories.participant(), now=fw.T0)
    assert error.value.field == field


def test_approve_makes_a_free_slug_and_reject_keeps_the_reason(session) -> None:
    person, reviewer = factories.participant(), factories.facilitator()
    services.sync_cases(session)
    one = services.propose(session, _input(title_en="Yokohama Library Mutual Use"), author=person, now=fw.T0)
    assert services.approve(session, one, reviewer=reviewer, now=fw.T0).slug == "yokohama-library-mutual-use-2"
    with pytest.raises(DomainError):
        services.approve(session, one, reviewer=reviewer, now=fw.T0)
    two = services.propose(session, _input(title_en=""), author=person, now=fw.T0)
    assert services.approve(session, two, reviewer=reviewer, now=fw.T0).slug == f"case-{two.id}"
    three = services.propose(session, _input(), author=person, now=fw.T0)
    with pytest.raises(DomainError) as taken:
        services.approve(session, three, reviewer=reviewer, now=fw.T0, slug="new")
    assert taken.value.message == "slug_taken"
    with pytest.raises(DomainError):
        services.reject(session, three, reviewer=reviewer, now=fw.T0, note="")
    services.reject(session, three, reviewer=reviewer, now=fw.T0, note="出典がありません")
    assert three.status is CaseStatus.REJECTED and three.review_note == "出典がありません"
    assert [c.id for c in services.proposals(session, user=person, all_of_them=False)] == [three.id, two.id, one.id]
    assert services.proposals(session, user=factories.participant(), all_of_them=False) == []
    assert services.pending_count(session) == 0


def test_every_related_case_of_a_seeded_module_is_a_seeded_case() -> None:
    slugs = {row["slug"] for row in yaml.safe_load(services.SEED_FILE.read_text(encoding="utf-8"))}
    for module in load_dir():
        assert set(module.related_cases) <= slugs, (module.slug, set(module.related_cases) - slugs)


def test_titles_by_slug_only_for_published_cases_in_the_reader_s_language(session) -> None:
    fw.case("消防指令センターの共同運用", slug="joint-dispatch").title_en = "Joint dispatch"
    fw.case("提案中の事例", status=CaseStatus.PROPOSED)
    titles = services.titles_by_slug(session, ["joint-dispatch", "nope", ""])
    assert titles == {"joint-dispatch": "消防指令センターの共同運用"}
    assert services.titles_by_slug(session, ["joint-dispatch"], "en") == {"joint-dispatch": "Joint dispatch"}
    assert services.titles_by_slug(session, []) == {}


def test_a_search_with_more_than_a_hundred_matches_counts_and_pages_them_all(session) -> None:
    """Filters go into the search: totals and the last page are right past any search limit."""
    for n in range(60):  # the term in the title: title hits
        fw.case(f"潮汐発電の協定{n:03d}", field="environment", commit=False)
    for n in range(75):  # the term only in the summary: body hits, after the title hits
        fw.case(f"沿岸の連携{n:03d}", field="environment", summary="潮汐発電を共同で調べる。", commit=False)
    for n in range(12):  # matches, but another field
        fw.case(f"潮汐発電の防災{n:03d}", field="disaster", commit=False)
    session.commit()
    first = services.list_cases(session, q="潮汐発電", field="environment")
    assert (first.total, first.pages, len(first.cases)) == (135, 5, services.PER_PAGE)
    assert all(c.title.startswith("潮汐発電の協定") for c in first.cases)
    seen = [c.id for page in range(1, 6) for c in services.list_cases(session, q="潮汐発電", field="environment",
                                                                       page=page).cases]
    assert len(seen) == len(set(seen)) == 135
    last = services.list_cases(session, q="潮汐発電", field="environment", page=5)
    assert last.total == 135 and len(last.cases) == 135 - 4 * services.PER_PAGE
    assert all(c.field == "environment" and c.title.startswith("沿岸の連携") for c in last.cases)
    assert services.list_cases(session, q="潮汐発電", field="environment", page=6).cases == []
    assert services.list_cases(session, q="潮汐発電").total == 147
    assert services.list_cases(session, q="潮汐発電", field="disaster").total == 12
