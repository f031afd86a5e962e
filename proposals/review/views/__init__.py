"""Peer-review pages: the facilitator's rounds, the reviewer's forms, the authors' answers."""
from proposals.review.views import reviewing, rounds  # noqa: F401  (routes register on bp)
from proposals.review.views.base import bp

__all__ = ["bp"]
