"""Scheduled work of the curriculum area.

``announce_assignments`` tells participants about assignments whose publish time has come
(``assignment.posted``). It selects what is due and not yet announced, announces, and marks it
announced in the same transaction, so running it twice (or in two processes) announces once.
Run it every few minutes from the scheduler process, or with ``flask curriculum announce``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from curriculum.services import assignments

# (job id, function, interval in minutes) for the scheduler process.
JOBS = (("curriculum.announce_assignments", "announce_assignments", 5),)


def announce_assignments(session: Session, *, now: datetime) -> int:
    """Announce every published, not yet announced assignment; returns how many. The caller commits."""
    return assignments.announce_due(session, now=now)
