"""Reviewer allocation: property tests from 2 to 300 teams, an exact check on small cohorts, the CLI."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.review.allocation import Item, Reviewer, allocate, best_replacement, eligible, pairs_of, simulate, stats


@st.composite
def cohorts(draw, min_teams: int = 2, max_teams: int = 300):  # type: ignore[no-untyped-def]
    """Teams of 1–5 reviewers from up to 8 cities, 0–2 proposals per team, a few alumni and mentors."""
    teams = draw(st.integers(min_teams, max_teams))
    cities = draw(st.integers(1, 8))
    sizes = draw(st.lists(st.integers(1, 5), min_size=teams, max_size=teams))
    per_team = draw(st.lists(st.integers(0, 2), min_size=teams, max_size=teams))
    alumni = draw(st.integers(0, 6))
    city_seed = draw(st.integers(0, 10_000))
    reviewers, items = [], []
    rid = 1
    for team, size in enumerate(sizes, start=1):
        members = []
        for k in range(size):
            members.append(Reviewer(rid, (city_seed + rid * 7 + k) % cities, frozenset({team})))
            rid += 1
        reviewers.extend(members)
        for n in range(per_team[team - 1]):
            items.append(Item(team * 10 + n, team, frozenset(m.city for m in members)))
    for _ in range(alumni):
        mentored = draw(st.sets(st.integers(1, teams), max_size=1))
        reviewers.append(Reviewer(rid, rid % cities, frozenset(mentored)))
        rid += 1
    if not items:
        items.append(Item(10, 1, frozenset()))
    reviews = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    return items, reviewers, reviews, seed


def _loads(result: dict[int, list[int]], reviewers: list[Reviewer]) -> Counter[int]:
    load: Counter[int] = Counter({r.id: 0 for r in reviewers})
    for rids in result.values():
        load.update(rids)
    return load


def _no_improving_transfer(items, reviewers, result) -> bool:  # type: ignore[no-untyped-def]
    """No single hand-over would move a review from load k to a reviewer with load <= k - 2."""
    load = _loads(result, reviewers)
    by_id = {it.id: it for it in items}
    for pid, rids in result.items():
        item = by_id[pid]
        lightest = min((load[r.id] for r in reviewers if r.id not in rids and eligible(item, r)), default=None)
        if lightest is not None and any(load[rid] >= lightest + 2 for rid in rids):
            return False
    return True


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohorts())
def test_rules_hold_at_every_size(case) -> None:  # type: ignore[no-untyped-def]
    items, reviewers, reviews, seed = case
    result = allocate(items, reviewers, reviews, seed)
    report = stats(items, reviewers, pairs_of(result), reviews)
    by_id = {r.id: r for r in reviewers}
    for item in items:
        chosen = result[item.id]
        assert len(chosen) == len(set(chosen)), "the same reviewer twice on one proposal"
        assert all(eligible(item, by_id[r]) for r in chosen), "a reviewer got their own (or mentored) team"
        quota = min(reviews, sum(1 for r in reviewers if eligible(item, r)))
        assert len(chosen) == quota, "a proposal did not get its quota"
    assert report["ok"] and not any(report["violations"].values())
    assert _no_improving_transfer(items, reviewers, result)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 300), st.integers(1, 5), st.integers(1, 4), st.integers(0, 10_000))
def test_uniform_cohorts_are_balanced_and_spread(teams: int, size: int, reviews: int, seed: int) -> None:
    """One proposal per mixed-city team (as facilitators form them): loads within one, several cities each."""
    report = simulate(teams, size, reviews, seed)
    assert report["ok"]
    assert report["load"]["max"] - report["load"]["min"] <= 1
    expected = min(reviews, (teams - 1) * size)
    assert report["coverage"]["min"] == report["coverage"]["max"] == expected
    assert report["city_spread"]["min"] >= min(expected, 2)


def _optimal_max_load(items, reviewers, reviews) -> int:  # type: ignore[no-untyped-def]
    """Smallest L such that every quota can be met with nobody above L (max-flow, small cases only)."""
    quotas = {it.id: min(reviews, sum(1 for r in reviewers if eligible(it, r))) for it in items}
    need = sum(quotas.values())
    for limit in range(0, need + 1):
        if _max_flow(items, reviewers, quotas, limit) == need:
            return limit
    raise AssertionError("unreachable")


def _max_flow(items, reviewers, quotas, limit) -> int:  # type: ignore[no-untyped-def]
    source, sink = "s", "t"
    cap: dict[tuple, int] = {}
    adj: dict[object, set] = {}

    def edge(a, b, c):  # type: ignore[no-untyped-def]
        cap[(a, b)] = cap.get((a, b), 0) + c
        cap.setdefault((b, a), 0)
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)

    for it in items:
        edge(source, ("i", it.id), quotas[it.id])
        for r in reviewers:
            if eligible(it, r):
                edge(("i", it.id), ("r", r.id), 1)
    for r in reviewers:
        edge(("r", r.id), sink, limit)
    flow = 0
    while True:
        parent = {source: None}
        queue = [source]
        while queue and sink not in parent:
            node = queue.pop(0)
            for nxt in adj.get(node, ()):
                if nxt not in parent and cap[(node, nxt)] > 0:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            return flow
        node = sink
        while parent[node] is not None:
            cap[(parent[node], node)] -= 1
            cap[(node, parent[node])] += 1
            node = parent[node]
        flow += 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(min_teams=2, max_teams=6))
def test_small_cohorts_reach_the_best_possible_maximum_load(case) -> None:  # type: ignore[no-untyped-def]
    items, reviewers, reviews, seed = case
    result = allocate(items, reviewers, reviews, seed)
    assert max(_loads(result, reviewers).values()) == _optimal_max_load(items, reviewers, reviews)


def test_same_seed_same_allocation_and_another_seed_another() -> None:
    items = [Item(t, t, frozenset({t % 8})) for t in range(1, 21)]
    reviewers = [Reviewer(100 + i, i % 8, frozenset({1 + i // 3})) for i in range(60)]
    first = allocate(items, reviewers, 3, seed=42)
    assert allocate(list(reversed(items)), list(reversed(reviewers)), 3, seed=42) == first
    assert any(allocate(items, reviewers, 3, seed=s) != first for s in range(43, 48))


def test_two_teams_of_one_still_get_each_other() -> None:
    """The smallest cohort: each proposal gets the one reviewer it can have; nothing starves."""
    items = [Item(1, 1), Item(2, 2)]
    reviewers = [Reviewer(10, "横浜市", frozenset({1})), Reviewer(20, "川崎市", frozenset({2}))]
    assert allocate(items, reviewers, 3, seed=0) == {1: [20], 2: [10]}


def test_mentors_and_alumni() -> None:
    items = [Item(1, 1), Item(2, 2)]
    reviewers = [Reviewer(10, 1, frozenset({1})), Reviewer(20, 2, frozenset({2})),
                 Reviewer(30, 3, frozenset({2}))]  # an alumnus mentoring team 2
    result = allocate(items, reviewers, 2, seed=3)
    assert 30 not in result[2] and sorted(result[1]) == [20, 30]


def test_prefers_a_new_city_among_equally_loaded() -> None:
    items = [Item(1, 1, frozenset({"横浜市"}))]
    reviewers = [Reviewer(2, "川崎市", frozenset({2})), Reviewer(3, "川崎市", frozenset({2})),
                 Reviewer(4, "藤沢市", frozenset({3})), Reviewer(5, "横浜市", frozenset({3}))]
    chosen = allocate(items, reviewers, 2, seed=11)[1]
    cities = {next(r.city for r in reviewers if r.id == c) for c in chosen}
    assert cities == {"川崎市", "藤沢市"}  # two cities, and not the authors' own


def test_best_replacement_takes_the_least_loaded_eligible() -> None:
    item = Item(1, 1, frozenset({"横浜市"}))
    reviewers = [Reviewer(2, "川崎市", frozenset({2})), Reviewer(3, "鎌倉市", frozenset({3})),
                 Reviewer(4, "横浜市", frozenset({1}))]
    best = best_replacement(item, reviewers, current=[2], load={2: 3, 3: 1, 4: 0})
    assert best is not None and best.id == 3
    assert best_replacement(item, reviewers, current=[2, 3], load={}) is None


def test_stats_report_violations() -> None:
    items = [Item(1, 1), Item(2, 2)]
    reviewers = [Reviewer(10, 1, frozenset({1})), Reviewer(20, 2, frozenset({2}))]
    report = stats(items, reviewers, [(1, 10), (1, 10), (2, 99)], 1)
    assert report["violations"]["own_team"] == [[1, 10], [1, 10]]
    assert report["violations"]["duplicates"] == [[1, 10]]
    assert report["violations"]["unknown"] == [[2, 99]]
    assert report["violations"]["under_quota"] == [2]
    assert report["ok"] is False


def test_negative_reviews_refused() -> None:
    with pytest.raises(ValueError):
        allocate([], [], -1, 0)


def test_simulate_command_prints_json(app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["review", "simulate", "--teams", "12", "--reviewers-per-team", "3", "--reviews",
                                 "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["input"] == {"teams": 12, "reviewers_per_team": 3, "reviews": 3, "seed": 5, "alumni": 0,
                             "proposals_per_team": 1, "cities": 8}
    assert data["ok"] is True and data["violations"]["own_team"] == []
    assert set(data["coverage"]["per_proposal"].values()) == {3}
    assert len(data["load"]["per_reviewer"]) == 36 and data["load"]["max"] - data["load"]["min"] <= 1
    assert data["city_spread"]["min"] >= 2
    compact = json.loads(runner.invoke(args=["review", "simulate", "--teams", "300", "--reviewers-per-team", "4",
                                             "--reviews", "3", "--seed", "1", "--compact"]).output)
    assert compact["coverage"] == {"min": 3, "max": 3, "complete": True}


def test_simulate_refuses_nonsense(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["review", "simulate", "--teams", "0", "--reviewers-per-team", "3"])
    assert result.exit_code != 0 and "teams" in result.output.lower()
