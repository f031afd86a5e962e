"""Suggest cross-city teams: a pure function, deterministic for a seed.

The rules (DOMAIN.md, issue 5): a team of three or more has members from at least three cities and
no city holds a majority (more than half of the team). Stated interests are spread so that no team
collects everyone interested in the same field.

How it works:

1. Team sizes are as even as possible (they differ by at most one).
2. How many people of each city go to each team is found with a maximum flow, which is exact: if the
   rules can be met at all with these sizes, the flow meets them. Caps per city and team start at an
   even spread and are relaxed only as far as needed, so cities stay spread out. For a team of even
   size, "at least three cities" is the same as "at most one city holds exactly half", which a
   one-unit side door per team expresses in the flow.
3. If no flow meets the rules, a deterministic swap search makes the fewest violations it can, and the
   suggestion says which rule it could not meet and why.
4. People of the same city are then swapped between teams to spread interests; such swaps never
   change the city mix.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

MIN_RULED_SIZE = 3  # the rules apply to teams of three or more
MAX_PASSES = 60


@dataclass(frozen=True)
class Person:
    id: int
    city: Hashable
    interests: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Note:
    """Why the suggestion falls short of a rule. ``team`` is a 0-based index, or None for the cohort."""

    code: str  # small_teams | few_cities | city_too_many | no_arrangement | team_few_cities | team_majority
    team: int | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, name: str) -> Any:
        return dict(self.params).get(name)


@dataclass(frozen=True)
class Suggestion:
    teams: tuple[tuple[int, ...], ...]  # person ids per team
    notes: tuple[Note, ...] = field(default=())

    @property
    def meets_rules(self) -> bool:
        return not any(n.code in {"team_few_cities", "team_majority"} for n in self.notes)


def team_sizes(n: int, k: int) -> list[int]:
    """``n`` people in ``k`` teams, sizes as even as possible, larger teams first."""
    if k <= 0:
        return []
    base, extra = divmod(n, k)
    return [base + 1 if i < extra else base for i in range(k)]


def majority_cap(size: int) -> int:
    """Most members one city may have in a team of ``size`` (no more than half)."""
    return size // 2 if size >= MIN_RULED_SIZE else size


def team_problems(cities: Sequence[Hashable]) -> list[tuple[str, dict[str, Any]]]:
    """The rules a team with these members' cities breaks (empty when it meets them)."""
    size = len(cities)
    if size < MIN_RULED_SIZE:
        return []
    counts = Counter(cities)
    found: list[tuple[str, dict[str, Any]]] = []
    if len(counts) < 3:
        found.append(("team_few_cities", {"cities": len(counts)}))
    for city, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        if count * 2 > size:
            found.append(("team_majority", {"city": city, "count": count, "size": size}))
    return found


def _penalty(cities: Sequence[Hashable]) -> int:
    size = len(cities)
    if size < MIN_RULED_SIZE:
        return 0
    counts = Counter(cities)
    over = sum(max(0, c - size // 2) for c in counts.values())
    return over + max(0, 3 - len(counts))


# --- step 2: city counts per team by maximum flow ---------------------------------------------------


class _Flow:
    """Edmonds–Karp on a small graph; nodes are visited in insertion order, so results are deterministic."""

    def __init__(self) -> None:
        self.cap: dict[Any, dict[Any, int]] = defaultdict(dict)

    def edge(self, a: Any, b: Any, capacity: int) -> None:
        if capacity <= 0:
            return
        self.cap[a][b] = self.cap[a].get(b, 0) + capacity
        self.cap[b].setdefault(a, 0)

    def run(self, source: Any, sink: Any) -> int:
        total = 0
        while True:
            parent: dict[Any, Any] = {source: None}
            queue = deque([source])
            while queue and sink not in parent:
                node = queue.popleft()
                for nxt, c in self.cap[node].items():
                    if c > 0 and nxt not in parent:
                        parent[nxt] = node
                        queue.append(nxt)
            if sink not in parent:
                return total
            bottleneck, node = None, sink
            while parent[node] is not None:
                prev = parent[node]
                c = self.cap[prev][node]
                bottleneck = c if bottleneck is None else min(bottleneck, c)
                node = prev
            node = sink
            while parent[node] is not None:
                prev = parent[node]
                self.cap[prev][node] -= bottleneck  # type: ignore[operator]
                self.cap[node][prev] += bottleneck  # type: ignore[operator]
                node = prev
            total += bottleneck  # type: ignore[operator]


def _counts_by_flow(
    city_totals: dict[Hashable, int], cities: list[Hashable], sizes: list[int], spread: int | None
) -> list[dict[Hashable, int]] | None:
    """City counts per team meeting the rules, each city at most ``spread`` per team (None: no limit)."""
    flow = _Flow()
    n = sum(city_totals.values())
    for city in cities:
        flow.edge("S", ("c", city), city_totals[city])
    for i, size in enumerate(sizes):
        for city in cities:
            limit = city_totals[city] if spread is None else min(spread, city_totals[city])
            if size >= 4 and size % 2 == 0:
                flow.edge(("c", city), ("t", i), min(limit, size // 2 - 1))
                if limit >= size // 2:
                    flow.edge(("c", city), ("g", i), 1)
            else:
                flow.edge(("c", city), ("t", i), min(limit, majority_cap(size)))
        if size >= 4 and size % 2 == 0:
            flow.edge(("g", i), ("t", i), 1)  # the side door: one city may hold exactly half
        flow.edge(("t", i), "T", size)
    # Remember the original capacities to read the flow back.
    original = {a: dict(b) for a, b in flow.cap.items()}
    if flow.run("S", "T") != n:
        return None
    counts: list[dict[Hashable, int]] = [defaultdict(int) for _ in sizes]
    for city in cities:
        for target, cap0 in original[("c", city)].items():
            used = cap0 - flow.cap[("c", city)][target]
            if used > 0:
                counts[target[1]][city] += used
    return [dict(c) for c in counts]


# --- step 3: best effort when the rules cannot all be met -----------------------------------------


def _swap_search(teams: list[list[Person]], key: Any) -> None:
    """Swap pairs of people between teams while that lowers ``key(team)`` summed; deterministic."""
    for _ in range(MAX_PASSES):
        improved = False
        for a in range(len(teams)):
            for b in range(a + 1, len(teams)):
                for i in range(len(teams[a])):
                    for j in range(len(teams[b])):
                        pa, pb = teams[a][i], teams[b][j]
                        if pa.city == pb.city:
                            continue
                        before = key(teams[a]) + key(teams[b])
                        teams[a][i], teams[b][j] = pb, pa
                        if key(teams[a]) + key(teams[b]) < before:
                            improved = True
                        else:
                            teams[a][i], teams[b][j] = pa, pb
        if not improved:
            return


# --- step 4: spreading interests ------------------------------------------------------------------


def _interest_cost(team: Sequence[Person]) -> int:
    counts = Counter(t for p in team for t in p.interests)
    return sum(c * c for c in counts.values())


def _spread_interests(teams: list[list[Person]]) -> None:
    """Swap people of the same city between teams while that spreads interests more evenly."""
    for _ in range(MAX_PASSES):
        improved = False
        for a in range(len(teams)):
            for b in range(a + 1, len(teams)):
                for i in range(len(teams[a])):
                    for j in range(len(teams[b])):
                        pa, pb = teams[a][i], teams[b][j]
                        if pa.city != pb.city or pa.interests == pb.interests:
                            continue
                        before = _interest_cost(teams[a]) + _interest_cost(teams[b])
                        teams[a][i], teams[b][j] = pb, pa
                        if _interest_cost(teams[a]) + _interest_cost(teams[b]) < before:
                            improved = True
                        else:
                            teams[a][i], teams[b][j] = pa, pb
        if not improved:
            return


# --- the suggestion -------------------------------------------------------------------------------


def _global_notes(city_totals: dict[Hashable, int], sizes: list[int]) -> list[Note]:
    notes: list[Note] = []
    if any(s < MIN_RULED_SIZE for s in sizes):
        notes.append(Note("small_teams", None, (("size", min(sizes)),)))
    ruled = [s for s in sizes if s >= MIN_RULED_SIZE]
    if ruled and len(city_totals) < 3:
        notes.append(Note("few_cities", None, (("cities", len(city_totals)),)))
    room = sum(majority_cap(s) for s in sizes)
    for city, count in sorted(city_totals.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        if ruled and count > room:
            notes.append(Note("city_too_many", None, (("city", city), ("count", count), ("max", room))))
    return notes


def suggest(people: Iterable[Person], team_count: int, seed: int) -> Suggestion:
    """Teams for ``people`` (``team_count`` of them, fewer if there are fewer people), deterministic for ``seed``."""
    persons = sorted(people, key=lambda p: p.id)  # the order people come in never matters
    if len({p.id for p in persons}) != len(persons):
        raise ValueError("a person is listed twice")
    k = min(team_count, len(persons))
    if k <= 0:
        return Suggestion(())
    rng = random.Random(seed)
    rng.shuffle(persons)
    sizes = team_sizes(len(persons), k)

    by_city: dict[Hashable, list[Person]] = {}
    for p in persons:
        by_city.setdefault(p.city, []).append(p)
    city_order = list(by_city)  # first appearance in the shuffled order: seeded
    city_order.sort(key=lambda c: -len(by_city[c]))  # stable: larger cities first, ties by seed
    totals = {c: len(by_city[c]) for c in city_order}

    counts = None
    largest = max(totals.values())
    for spread in range(1, largest + 1):
        counts = _counts_by_flow(totals, city_order, sizes, spread)
        if counts is not None:
            break

    teams: list[list[Person]] = [[] for _ in sizes]
    if counts is not None:
        queues = {c: deque(by_city[c]) for c in city_order}
        for city in city_order:
            for i in range(k):
                for _ in range(counts[i].get(city, 0)):
                    teams[i].append(queues[city].popleft())
    else:
        # Deal city by city, round the teams, then lower the violations as far as swaps can.
        dealt = [p for c in city_order for p in by_city[c]]
        slots = [i for _, i in sorted((pos, i) for i, s in enumerate(sizes) for pos in range(s))]
        for p, i in zip(dealt, slots, strict=True):
            teams[i].append(p)
        _swap_search(teams, lambda team: _penalty([p.city for p in team]))

    _spread_interests(teams)

    notes = _global_notes(totals, sizes)
    team_notes: list[Note] = []
    for i, team in enumerate(teams):
        for code, params in team_problems([p.city for p in team]):
            team_notes.append(Note(code, i, tuple(params.items())))
    if team_notes and not any(n.code in {"few_cities", "city_too_many"} for n in notes):
        notes.append(Note("no_arrangement"))
    notes.extend(team_notes)
    return Suggestion(tuple(tuple(sorted(p.id for p in team)) for team in teams), tuple(notes))


def parse_interests(text: str) -> frozenset[str]:
    """Interests as stored on an enrolment ("防災, 子育て") → a set of tags."""
    parts = [part.strip() for part in text.replace("、", ",").replace("，", ",").split(",")]
    return frozenset(p for p in parts if p)
