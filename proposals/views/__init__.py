"""Proposal pages: the archive, a team's drafting, snapshots and exports, the template."""
from proposals.views import archive, drafting, published, template_admin  # noqa: F401  (routes register on bp)
from proposals.views.base import bp

__all__ = ["bp"]
