"""Handing in (提出, 修正版, 最終版) follows the proposal policy: nothing is handed in once the cohort closed."""
from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from curriculum.models import Cohort, CohortStatus
from proposals.models import Proposal, ProposalSnapshot
from proposals.vocab import ProposalStatus
from tests import factories_proposals as fp

CLOSED = "この期はすでに終了しているため、提出・修正版の提出・最終版の確定はできません。"


def _snapshots(pid: int) -> int:
    return int(db.session.scalar(select(func.count(ProposalSnapshot.id)).where(ProposalSnapshot.proposal_id == pid)))


def test_a_closed_cohort_hands_nothing_in(app, login, year) -> None:
    with app.app_context():
        draft = fp.proposal(year.team1, author=year.a1, title="下書きのままの提案")
        submitted = fp.proposal(year.team1, author=year.a1, submit=True, title="提出済みの提案")
        in_review = fp.proposal(year.team1, author=year.a2, submit=True, title="査読を受けた提案")
        fp.review_round(year.cohort, [in_review], facilitator=year.facilitator, reviews=1, release=True)
        fp.write(in_review, "effect", "査読を受けて効果を数値で示した。", author=year.a2)
        db.session.get(Cohort, year.cohort.id).status = CohortStatus.CLOSED
        db.session.commit()
        cases = [(draft.id, "submit", 0, ProposalStatus.DRAFT), (in_review.id, "revise", 1, ProposalStatus.IN_REVIEW),
                 (submitted.id, "finalize", 1, ProposalStatus.SUBMITTED)]
    team, staff = login(year.a1), login(year.facilitator)
    for pid, action, count, status in cases:
        for client in (team, staff) if action == "finalize" else (team,):
            refused = client.post(f"/proposals/{pid}/{action}", data={"expected": str(count)})
            assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/proposals/{pid}")
            assert CLOSED in client.get(f"/proposals/{pid}").get_data(as_text=True)
        with app.app_context():
            assert _snapshots(pid) == count and db.session.get(Proposal, pid).status is status, action


def test_an_open_cohort_still_hands_in(app, login, year) -> None:
    """The same requests while the cohort runs (the refusal above is the cohort, not the request)."""
    with app.app_context():
        pid = fp.proposal(year.team1, author=year.a1).id
    team = login(year.a1)
    assert team.post(f"/proposals/{pid}/submit", data={"expected": "0"}).headers["Location"].endswith(
        f"/proposals/{pid}/snapshots/1")
    assert team.post(f"/proposals/{pid}/finalize", data={"expected": "1"}).status_code == 302
    with app.app_context():
        assert _snapshots(pid) == 2 and db.session.get(Proposal, pid).status is ProposalStatus.FINAL
