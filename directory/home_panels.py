"""Home panel: the April request to confirm one's department and position (alumni)."""
from __future__ import annotations

from typing import Any

from core import dates
from core.extensions import db
from core.panels import Panel
from directory import policy, services


def confirmation_panel(user: Any) -> list[Panel]:
    if not policy.asked_to_confirm(user):
        return []
    fy = dates.fiscal_year(dates.tokyo_now())
    if services.is_confirmed(db.session, user.id, fy):
        return []
    history = services.affiliations(db.session, user.id)
    current = services.current_affiliation(history, dates.tokyo_now().date())
    from directory.forms import ConfirmForm

    return [Panel("directory/_confirm_panel.html", order=20,
                  context={"fiscal_year": fy, "current": current, "form": ConfirmForm()})]
