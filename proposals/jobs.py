"""Scheduled work of the proposals area: release the reviews of rounds whose deadline has passed.

Select what is due and not yet done (rounds past their deadline with no release recorded), act
(record the release, tell the authors), commit. Running it twice releases nothing twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import dates
from proposals.review import services


def release_due_reviews(session: Session, now: datetime | None = None) -> int:
    """Release every round whose deadline passed; returns how many were released. Commits."""
    count = services.release_due(session, now=now or dates.utcnow())
    session.commit()
    return count


# (job id, function, minutes between runs) for the scheduler process.
JOBS = [("proposals.release_due_reviews", release_due_reviews, 15)]
