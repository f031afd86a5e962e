"""The facilitator's view of a round: completion, score distributions, disagreements, late reviewers.

Pure computations over a round already loaded with its assignments and scores (no queries here).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean, pstdev

from proposals.review.models import AssignmentStatus, ReviewAssignment, ReviewRound, RoundCriterion, RoundProposal

# Two reviewers this far apart on one criterion (e.g. 1 and 4) are worth a conversation.
DISAGREEMENT_SPREAD = 3


@dataclass(frozen=True)
class CriterionSummary:
    criterion: RoundCriterion
    counts: dict[int, int]  # score -> how many
    n: int
    average: float | None

    @property
    def peak(self) -> int:
        return max(self.counts.values(), default=0)


@dataclass(frozen=True)
class Disagreement:
    round_proposal: RoundProposal
    criterion: RoundCriterion
    scores: list[int]
    spread: int
    stdev: float


@dataclass
class ProposalProgress:
    round_proposal: RoundProposal
    assigned: int = 0
    submitted: int = 0
    averages: dict[int, float] = field(default_factory=dict)  # criterion id -> mean

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and self.submitted == self.assigned


@dataclass(frozen=True)
class Dashboard:
    total: int
    submitted: int
    drafts: int
    not_started: int
    proposals: list[ProposalProgress]
    criteria: list[CriterionSummary]
    disagreements: list[Disagreement]
    late: list[ReviewAssignment]
    loads: dict[int, int]
    helpfulness: dict[int, float]  # reviewer id -> mean rating

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0


def build(rnd: ReviewRound, now: datetime) -> Dashboard:
    active = [a for a in rnd.assignments if a.active]
    submitted = [a for a in active if a.status is AssignmentStatus.SUBMITTED]
    by_rp: dict[int, ProposalProgress] = {rp.id: ProposalProgress(rp) for rp in rnd.proposals}
    for a in active:
        progress = by_rp[a.round_proposal_id]
        progress.assigned += 1
        progress.submitted += a.status is AssignmentStatus.SUBMITTED
    scores: dict[tuple[int, int], list[int]] = defaultdict(list)  # (round proposal, criterion) -> scores
    per_criterion: dict[int, list[int]] = defaultdict(list)
    for a in submitted:
        for s in a.scores:
            if s.score is not None:
                scores[(a.round_proposal_id, s.criterion_id)].append(s.score)
                per_criterion[s.criterion_id].append(s.score)
    for (rp_id, cid), values in scores.items():
        by_rp[rp_id].averages[cid] = round(mean(values), 2)
    summaries = []
    for c in rnd.criteria:
        values = per_criterion.get(c.id, [])
        counts = Counter(values)
        summaries.append(CriterionSummary(c, {n: counts.get(n, 0) for n in range(1, 6)}, len(values),
                                          round(mean(values), 2) if values else None))
    criteria = {c.id: c for c in rnd.criteria}
    disagreements = []
    for (rp_id, cid), values in sorted(scores.items()):
        if len(values) >= 2 and max(values) - min(values) >= DISAGREEMENT_SPREAD:
            disagreements.append(Disagreement(by_rp[rp_id].round_proposal, criteria[cid], sorted(values),
                                              max(values) - min(values), round(pstdev(values), 2)))
    late = sorted((a for a in active if a.status is not AssignmentStatus.SUBMITTED and a.effective_due() < now),
                  key=lambda a: (a.effective_due(), a.id))
    ratings: dict[int, list[int]] = defaultdict(list)
    for a in submitted:
        if a.helpfulness is not None:
            ratings[a.reviewer_id].append(a.helpfulness)
    return Dashboard(
        total=len(active), submitted=len(submitted),
        drafts=sum(1 for a in active if a.status is AssignmentStatus.DRAFT),
        not_started=sum(1 for a in active if a.status is AssignmentStatus.ASSIGNED),
        proposals=list(by_rp.values()), criteria=summaries, disagreements=disagreements, late=late,
        loads=dict(Counter(a.reviewer_id for a in active)),
        helpfulness={rid: round(mean(v), 2) for rid, v in ratings.items()})
