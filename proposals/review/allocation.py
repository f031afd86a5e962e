"""Who reviews which proposal: a pure function (no Flask, no database), deterministic per seed.

The rules, in order of priority:

1. **Never one's own team** (nor a team one mentors), never the same proposal twice. Hard rules.
2. **Every proposal gets its quota**: ``min(reviews, number of eligible reviewers)``, however small
   the cohort. Slots are filled round-robin (every proposal gets its first reviewer before any gets
   its second, scarce proposals first), so nothing late in the list starves.
3. **Even load**: the result has no *load-reducing path* — no chain of hand-overs that would move
   one review from a reviewer with load ``k`` to one with load ``k − 2`` or less. This is the
   optimality condition of balanced semi-matchings, so the loads are as even as the rules allow
   (with one proposal per team and mixed teams they differ by at most one).
4. **City spread**: among equally loaded candidates, prefer a city the proposal has no reviewer
   from yet, then a city none of the authors work for (fresh eyes); a last pass swaps reviewers
   between proposals, without changing anyone's load, to remove remaining same-city pairs.

``allocate`` returns ``{proposal_id: [reviewer_id, …]}``; ``stats`` measures any allocation (also a
hand-edited one) against the rules, for the facilitator's preview and ``flask review simulate``.
"""
from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reviewer:
    id: int
    city: Hashable | None
    teams: frozenset[int] = frozenset()  # teams they are in or mentor: never reviewed by them


@dataclass(frozen=True)
class Item:
    """A proposal to be reviewed."""

    id: int
    team: int
    cities: frozenset[Hashable] = frozenset()  # where its authors work


def eligible(item: Item, reviewer: Reviewer) -> bool:
    return item.team not in reviewer.teams


@dataclass
class _State:
    items: list[Item]
    reviewers: list[Reviewer]
    eligible: list[list[int]]  # per item index: eligible reviewer indexes, in rank order
    assigned: list[list[int]] = field(default_factory=list)  # per item: reviewer indexes
    load: list[int] = field(default_factory=list)

    def cities_of(self, i: int, *, without: int | None = None) -> Counter[Hashable]:
        return Counter(self.reviewers[r].city for r in self.assigned[i] if r != without)


def allocate(items: Sequence[Item], reviewers: Sequence[Reviewer], reviews: int, seed: int) -> dict[int, list[int]]:
    """Assign ``reviews`` reviewers to every item (fewer only when fewer are eligible)."""
    if reviews < 0:
        raise ValueError("reviews must be >= 0")
    rng = random.Random(seed)
    ordered_items = sorted(items, key=lambda it: it.id)
    rng.shuffle(ordered_items)
    pool = sorted(reviewers, key=lambda r: r.id)
    rng.shuffle(pool)  # position in the pool = the seeded tie-break rank
    state = _State(ordered_items, pool, [[r for r, rev in enumerate(pool) if eligible(it, rev)]
                                         for it in ordered_items])
    state.assigned = [[] for _ in ordered_items]
    state.load = [0] * len(pool)
    _fill_round_robin(state, reviews)
    _balance(state)
    _spread_cities(state)
    return {it.id: sorted(pool[r].id for r in state.assigned[i]) for i, it in enumerate(ordered_items)}


def _pick(state: _State, i: int) -> int | None:
    """The best reviewer to add to item ``i``: least loaded, new city, not an author's city, rank."""
    item, taken = state.items[i], set(state.assigned[i])
    used = {state.reviewers[r].city for r in taken}
    best: tuple[int, bool, bool, int] | None = None
    choice = None
    for r in state.eligible[i]:  # already in rank order
        if r in taken:
            continue
        city = state.reviewers[r].city
        key = (state.load[r], city in used, city in item.cities, r)
        if best is None or key < best:
            best, choice = key, r
            if key[:3] == (0, False, False):
                break  # nothing later in rank can beat an unloaded reviewer from a fresh city
    return choice


def _fill_round_robin(state: _State, reviews: int) -> None:
    quota = [min(reviews, len(e)) for e in state.eligible]
    order = sorted(range(len(state.items)), key=lambda i: (len(state.eligible[i]), i))  # scarce first
    for slot in range(reviews):
        for i in order:
            if len(state.assigned[i]) > slot or len(state.assigned[i]) >= quota[i]:
                continue
            r = _pick(state, i)
            if r is None:  # cannot happen while below quota; kept as a guard
                continue
            state.assigned[i].append(r)
            state.load[r] += 1


def _find_path(state: _State, level: int, holders: list[list[int]]) -> list[tuple[int, int, int]] | None:
    """A chain of hand-overs from some reviewer with load ``level`` to one with load <= level - 2.

    Returns [(item, from_reviewer, to_reviewer), …] or None. Breadth-first from all sources at once.
    """
    sources = [r for r, load in enumerate(state.load) if load == level]
    parent: dict[int, tuple[int, int] | None] = {r: None for r in sources}
    queue = deque(sources)
    seen_items: set[int] = set()
    while queue:
        u = queue.popleft()
        for i in holders[u]:
            if i in seen_items:
                continue
            seen_items.add(i)
            taken = set(state.assigned[i])
            for v in state.eligible[i]:
                if v in parent or v in taken:
                    continue
                parent[v] = (u, i)
                if state.load[v] <= level - 2:
                    path = []
                    node = v
                    while parent[node] is not None:
                        prev, item = parent[node]  # type: ignore[misc]
                        path.append((item, prev, node))
                        node = prev
                    return list(reversed(path))
                queue.append(v)
    return None


def _balance(state: _State) -> None:
    """Apply load-reducing paths until none is left (highest loads first)."""
    while True:
        if not state.load:
            return
        low = min(state.load)
        levels = sorted({load for load in state.load if load >= low + 2}, reverse=True)
        holders: list[list[int]] = [[] for _ in state.reviewers]
        for i, rs in enumerate(state.assigned):
            for r in rs:
                holders[r].append(i)
        for level in levels:
            path = _find_path(state, level, holders)
            if path is not None:
                for i, src, dst in path:
                    state.assigned[i][state.assigned[i].index(src)] = dst
                state.load[path[0][1]] -= 1
                state.load[path[-1][2]] += 1
                break
        else:
            return


def _spread_cities(state: _State) -> None:
    """Remove same-city pairs within a proposal by load-neutral moves and swaps."""
    n = len(state.items)
    for _ in range(2):
        changed = False
        for i in range(n):
            counts = state.cities_of(i)
            for r in list(state.assigned[i]):
                city = state.reviewers[r].city
                if counts[city] < 2:
                    continue
                if _neutral_move(state, i, r) or _swap(state, i, r):
                    counts = state.cities_of(i)
                    changed = True
        if not changed:
            return


def _neutral_move(state: _State, i: int, r: int) -> bool:
    """Give r's place on item i to a less-loaded reviewer (load exactly one lower) from a new city."""
    used = set(state.cities_of(i, without=r))
    taken = set(state.assigned[i])
    for v in state.eligible[i]:
        if v in taken or state.load[v] != state.load[r] - 1 or state.reviewers[v].city in used:
            continue
        state.assigned[i][state.assigned[i].index(r)] = v
        state.load[r] -= 1
        state.load[v] += 1
        return True
    return False


def _swap(state: _State, i: int, r: int) -> bool:
    """Exchange r (on item i) with a reviewer of another item, loads unchanged, no city spread lost."""
    item_cities = state.cities_of(i, without=r)
    for j in range(len(state.items)):
        if j == i or r in state.assigned[j] or not eligible(state.items[j], state.reviewers[r]):
            continue
        for v in state.assigned[j]:
            v_city = state.reviewers[v].city
            if v_city in item_cities or v in state.assigned[i] or not eligible(state.items[i], state.reviewers[v]):
                continue
            other = state.cities_of(j, without=v)
            if other[state.reviewers[r].city] > 0 and other[v_city] == 0:
                continue  # j would lose a city it had
            state.assigned[i][state.assigned[i].index(r)] = v
            state.assigned[j][state.assigned[j].index(v)] = r
            return True
    return False


def best_replacement(item: Item, reviewers: Sequence[Reviewer], current: Iterable[int],
                     load: Mapping[int, int], *, exclude: Iterable[int] = ()) -> Reviewer | None:
    """Who should take over a review on ``item`` (reassignment): same preferences as ``allocate``."""
    blocked = set(current) | set(exclude)
    used = {r.city for r in reviewers if r.id in set(current)}
    candidates = [r for r in reviewers if r.id not in blocked and eligible(item, r)]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (load.get(r.id, 0), r.city in used, r.city in item.cities, r.id))


def stats(items: Sequence[Item], reviewers: Sequence[Reviewer], pairs: Iterable[tuple[int, int]],
          reviews: int) -> dict[str, Any]:
    """Coverage per proposal, load per reviewer, city spread and rule violations of an allocation."""
    by_id = {r.id: r for r in reviewers}
    item_by_id = {it.id: it for it in items}
    pair_list = list(pairs)
    seen: Counter[tuple[int, int]] = Counter(pair_list)
    coverage: dict[int, set[int]] = {it.id: set() for it in items}
    load: Counter[int] = Counter({r.id: 0 for r in reviewers})
    own_team, duplicates, unknown = [], [], []
    for pid, rid in pair_list:
        item, rev = item_by_id.get(pid), by_id.get(rid)
        if item is None or rev is None:
            unknown.append([pid, rid])
            continue
        if not eligible(item, rev):
            own_team.append([pid, rid])
        coverage[pid].add(rid)
        load[rid] += 1
    duplicates = [[p, r] for (p, r), n in sorted(seen.items()) if n > 1]
    quota = {it.id: min(reviews, sum(1 for r in reviewers if eligible(it, r))) for it in items}
    under = [pid for pid, rs in coverage.items() if len(rs) < quota[pid]]
    over = [pid for pid, rs in coverage.items() if len(rs) > reviews]
    spread = {pid: len({by_id[r].city for r in rs}) for pid, rs in coverage.items()}
    loads = [load[r.id] for r in reviewers]
    cov = [len(rs) for rs in coverage.values()]
    return {
        "proposals": len(items),
        "reviewers": len(reviewers),
        "reviews_per_proposal": reviews,
        "assignments": len(pair_list),
        "coverage": {
            "min": min(cov, default=0), "max": max(cov, default=0),
            "complete": not under,
            "per_proposal": {str(pid): len(rs) for pid, rs in sorted(coverage.items())},
            "quota": {str(pid): q for pid, q in sorted(quota.items())},
        },
        "load": {
            "min": min(loads, default=0), "max": max(loads, default=0),
            "mean": round(sum(loads) / len(loads), 3) if loads else 0.0,
            "per_reviewer": {str(rid): n for rid, n in sorted(load.items())},
        },
        "city_spread": {
            "min": min(spread.values(), default=0), "max": max(spread.values(), default=0),
            "mean": round(sum(spread.values()) / len(spread), 3) if spread else 0.0,
            "per_proposal": {str(pid): n for pid, n in sorted(spread.items())},
        },
        "violations": {"own_team": own_team, "duplicates": duplicates, "under_quota": sorted(under),
                       "over_quota": sorted(over), "unknown": unknown},
        "ok": not (own_team or duplicates or under or over or unknown),
    }


def pairs_of(allocation: Mapping[int, Iterable[int]]) -> list[tuple[int, int]]:
    return [(pid, rid) for pid, rids in allocation.items() for rid in rids]


def simulate(teams: int, reviewers_per_team: int, reviews: int, seed: int, *, alumni: int = 0,
             proposals_per_team: int = 1, cities: int = 8) -> dict[str, Any]:
    """A synthetic cohort (mixed-city teams, as facilitators form them) and the statistics of its allocation."""
    if teams < 1 or reviewers_per_team < 0 or reviews < 0 or alumni < 0 or proposals_per_team < 0 or cities < 1:
        raise ValueError("sizes must be positive")
    rng = random.Random(seed)
    city_cycle = list(range(1, cities + 1))
    rng.shuffle(city_cycle)
    pool: list[Reviewer] = []
    items: list[Item] = []
    next_id = 1
    for team in range(1, teams + 1):
        members = []
        for _ in range(reviewers_per_team):
            members.append(Reviewer(next_id, city_cycle[(next_id - 1) % cities], frozenset({team})))
            next_id += 1
        pool.extend(members)
        for k in range(proposals_per_team):
            items.append(Item(team * 100 + k, team, frozenset(m.city for m in members)))
    for _ in range(alumni):
        pool.append(Reviewer(next_id, rng.choice(city_cycle)))
        next_id += 1
    allocation = allocate(items, pool, reviews, seed)
    result = stats(items, pool, pairs_of(allocation), reviews)
    result["input"] = {"teams": teams, "reviewers_per_team": reviewers_per_team, "reviews": reviews, "seed": seed,
                       "alumni": alumni, "proposals_per_team": proposals_per_team, "cities": cities}
    return result
