"""Statistics of the programme: participants and alumni per city and year, cohort sizes, where alumni are now.

Counts only (no field a person can hide), and charts drawn here as SVG markup: nothing is loaded
from another host, and SVG presentation attributes are not governed by the CSP's style-src.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from curriculum.models import Cohort, Enrolment, EnrolmentStatus
from people.models import City, User

# One colour per member city (distinguishable, and readable on white).
PALETTE = ("#0b5c8a", "#c2410c", "#15803d", "#7c3aed", "#a16207", "#be185d", "#0f766e", "#4b5563",
           "#1d4ed8", "#b91c1c")


@dataclass
class Statistics:
    cities: list[City]
    years: list[int]
    participants: dict[tuple[int, int], int] = field(default_factory=dict)  # (fy, city_id) -> enrolled or completed
    alumni: dict[tuple[int, int], int] = field(default_factory=dict)  # (fy, city_id) -> completed
    cohort_sizes: dict[int, dict[str, int]] = field(default_factory=dict)  # fy -> {status: n}
    alumni_now: dict[int | None, int] = field(default_factory=dict)  # current city id -> alumni
    moved: dict[int | None, int] = field(default_factory=dict)  # current city id -> alumni who came from elsewhere

    def row_total(self, fy: int, table: str = "participants") -> int:
        data = getattr(self, table)
        return sum(v for (y, _c), v in data.items() if y == fy)

    def column_total(self, city_id: int, table: str = "participants") -> int:
        data = getattr(self, table)
        return sum(v for (_y, c), v in data.items() if c == city_id)


def collect(session: Session) -> Statistics:
    cities = list(session.scalars(select(City).order_by(City.sort_order, City.code)))
    stats = Statistics(cities=cities, years=list(session.scalars(select(Cohort.fiscal_year).order_by(Cohort.fiscal_year))))
    rows = session.execute(select(Cohort.fiscal_year, Enrolment.city_id, Enrolment.status, func.count())
                           .join(Cohort, Cohort.id == Enrolment.cohort_id)
                           .group_by(Cohort.fiscal_year, Enrolment.city_id, Enrolment.status))
    sizes: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in EnrolmentStatus})
    for fy, city_id, status, n in rows:
        sizes[fy][status.value] += n
        if status is not EnrolmentStatus.WITHDRAWN:
            stats.participants[(fy, city_id)] = stats.participants.get((fy, city_id), 0) + n
        if status is EnrolmentStatus.COMPLETED:
            stats.alumni[(fy, city_id)] = n
    stats.cohort_sizes = {fy: sizes[fy] for fy in stats.years}
    # alumni now: each listed person with a completed enrolment, by their current city; "moved" when
    # the latest completed enrolment was for another city
    latest = (select(Enrolment.user_id, func.max(Enrolment.id).label("eid"))
              .where(Enrolment.status == EnrolmentStatus.COMPLETED).group_by(Enrolment.user_id).subquery())
    now_rows = session.execute(
        select(User.city_id, Enrolment.city_id, func.count())
        .join(latest, latest.c.user_id == User.id).join(Enrolment, Enrolment.id == latest.c.eid)
        .where(and_(User.is_active.is_(True), User.anonymized_at.is_(None)))
        .group_by(User.city_id, Enrolment.city_id))
    for now_city, then_city, n in now_rows:
        stats.alumni_now[now_city] = stats.alumni_now.get(now_city, 0) + n
        if now_city != then_city:
            stats.moved[now_city] = stats.moved.get(now_city, 0) + n
    return stats


# --- SVG ------------------------------------------------------------------------------------------


def _text(x: float, y: float, label: str, anchor: str = "start", size: int = 12, fill: str = "#1d2430") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(label)}</text>")


def bar_chart(title: str, bars: list[tuple[str, int]], *, color: str = PALETTE[0], width: int = 640) -> Markup:
    """Horizontal bars with their values; labels on the left."""
    row, left, right = 26, 140, 50
    height = 30 + row * max(len(bars), 1)
    top = max((v for _l, v in bars), default=0) or 1
    span = width - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(bars):
        y = 20 + i * row
        w = span * value / top
        parts.append(_text(left - 8, y + 14, label, "end"))
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="18" rx="3" fill="{color}"/>')
        parts.append(_text(left + w + 6, y + 14, str(value)))
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(title: str, columns: list[str], series: list[tuple[str, list[int]]], *,
                    width: int = 640) -> Markup:
    """One column per label (a fiscal year), stacked by series (cities), with a legend below."""
    height, top_pad, bottom, left = 300, 20, 40, 40
    legend_rows = -(-len(series) // 4)
    total_h = height + 22 * legend_rows
    totals = [sum(values[i] for _n, values in series) for i in range(len(columns))]
    peak = max(totals, default=0) or 1
    plot_h = height - top_pad - bottom
    step = (width - left - 10) / max(len(columns), 1)
    bar_w = min(48.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {total_h}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#b6bfcc"/>']
    for i, label in enumerate(columns):
        x = left + i * step + (step - bar_w) / 2
        y = float(height - bottom)
        for s, (_name, values) in enumerate(series):
            h = plot_h * values[i] / peak
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(_text(x + bar_w / 2, y - 4, str(totals[i]), "middle", 11))
        parts.append(_text(x + bar_w / 2, height - bottom + 16, label, "middle", 11))
    for s, (name, _values) in enumerate(series):
        lx, ly = left + (s % 4) * 150, height + 4 + (s // 4) * 22
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(_text(lx + 18, ly + 11, name, size=12))
    parts.append("</svg>")
    return Markup("".join(parts))
