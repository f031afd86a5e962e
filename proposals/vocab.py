"""The words of the 提案書: policy fields, the three directions, lifecycle statuses.

Each vocabulary has a plain Japanese name (used in documents, exports and the search key, which are
Japanese whatever the reader's UI language) and a lazily translated label for the UI.
"""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class PolicyField(enum.StrEnum):
    """政策分野 of a proposal (one per proposal)."""

    DISASTER = "disaster"
    HEALTH_CARE = "health_care"
    CHILDCARE = "childcare"
    TOURISM = "tourism"
    DX = "dx"
    ENVIRONMENT = "environment"
    WORKFORCE = "workforce"
    TRANSPORT = "transport"
    INFRASTRUCTURE = "infrastructure"
    EDUCATION_CULTURE = "education_culture"
    ECONOMY = "economy"
    WELFARE = "welfare"
    ADMINISTRATION = "administration"


FIELD_JA: dict[PolicyField, str] = {
    PolicyField.DISASTER: "防災",
    PolicyField.HEALTH_CARE: "医療・介護",
    PolicyField.CHILDCARE: "子育て",
    PolicyField.TOURISM: "観光",
    PolicyField.DX: "DX",
    PolicyField.ENVIRONMENT: "環境",
    PolicyField.WORKFORCE: "人材",
    PolicyField.TRANSPORT: "交通",
    PolicyField.INFRASTRUCTURE: "インフラ",
    PolicyField.EDUCATION_CULTURE: "教育・文化",
    PolicyField.ECONOMY: "産業・経済",
    PolicyField.WELFARE: "福祉",
    PolicyField.ADMINISTRATION: "行政運営",
}

FIELD_LABELS = {
    PolicyField.DISASTER: _l("防災"),
    PolicyField.HEALTH_CARE: _l("医療・介護"),
    PolicyField.CHILDCARE: _l("子育て"),
    PolicyField.TOURISM: _l("観光"),
    PolicyField.DX: _l("DX"),
    PolicyField.ENVIRONMENT: _l("環境"),
    PolicyField.WORKFORCE: _l("人材"),
    PolicyField.TRANSPORT: _l("交通"),
    PolicyField.INFRASTRUCTURE: _l("インフラ"),
    PolicyField.EDUCATION_CULTURE: _l("教育・文化"),
    PolicyField.ECONOMY: _l("産業・経済"),
    PolicyField.WELFARE: _l("福祉"),
    PolicyField.ADMINISTRATION: _l("行政運営"),
}


class Direction(enum.StrEnum):
    """The three directions of the 8-city collaboration (one or more per proposal)."""

    THREATS = "threats"
    OPPORTUNITIES = "opportunities"
    RESOURCES = "resources"


DIRECTION_JA: dict[Direction, str] = {
    Direction.THREATS: "将来の脅威に対する備え",
    Direction.OPPORTUNITIES: "将来の機会を捉えるための備え",
    Direction.RESOURCES: "各市の保有する資源の有効活用・相互補完",
}

DIRECTION_LABELS = {
    Direction.THREATS: _l("将来の脅威に対する備え"),
    Direction.OPPORTUNITIES: _l("将来の機会を捉えるための備え"),
    Direction.RESOURCES: _l("各市の保有する資源の有効活用・相互補完"),
}


class ProposalStatus(enum.StrEnum):
    """下書き → 提出 → 査読中 → 修正版 → 最終版 → 発表済み → 検討テーマに採択 / 不採択."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REVISED = "revised"
    FINAL = "final"
    PRESENTED = "presented"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"


STATUS_JA: dict[ProposalStatus, str] = {
    ProposalStatus.DRAFT: "下書き",
    ProposalStatus.SUBMITTED: "提出済み",
    ProposalStatus.IN_REVIEW: "査読中",
    ProposalStatus.REVISED: "修正版提出済み",
    ProposalStatus.FINAL: "最終版",
    ProposalStatus.PRESENTED: "発表済み",
    ProposalStatus.ADOPTED: "検討テーマに採択",
    ProposalStatus.NOT_ADOPTED: "不採択",
}

STATUS_LABELS = {
    ProposalStatus.DRAFT: _l("下書き"),
    ProposalStatus.SUBMITTED: _l("提出済み"),
    ProposalStatus.IN_REVIEW: _l("査読中"),
    ProposalStatus.REVISED: _l("修正版提出済み"),
    ProposalStatus.FINAL: _l("最終版"),
    ProposalStatus.PRESENTED: _l("発表済み"),
    ProposalStatus.ADOPTED: _l("検討テーマに採択"),
    ProposalStatus.NOT_ADOPTED: _l("不採択"),
}

# Badge colour per status (classes of static/css/app.css).
STATUS_BADGE = {
    ProposalStatus.DRAFT: "muted",
    ProposalStatus.SUBMITTED: "warn",
    ProposalStatus.IN_REVIEW: "warn",
    ProposalStatus.REVISED: "warn",
    ProposalStatus.FINAL: "ok",
    ProposalStatus.PRESENTED: "ok",
    ProposalStatus.ADOPTED: "ok",
    ProposalStatus.NOT_ADOPTED: "muted",
}

# Team members may still change the live text (the next draft) in these states.
EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW,
                      ProposalStatus.REVISED})
# Finished proposals: readable by everyone signed in, listed in the archive of past proposals.
PUBLISHED = frozenset({ProposalStatus.FINAL, ProposalStatus.PRESENTED, ProposalStatus.ADOPTED,
                       ProposalStatus.NOT_ADOPTED})
OUTCOMES = frozenset({ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED})


class SnapshotKind(enum.StrEnum):
    SUBMITTED = "submitted"  # 提出版
    REVISED = "revised"  # 修正版
    FINAL = "final"  # 最終版


SNAPSHOT_KIND_JA = {SnapshotKind.SUBMITTED: "提出版", SnapshotKind.REVISED: "修正版", SnapshotKind.FINAL: "最終版"}
SNAPSHOT_KIND_LABELS = {
    SnapshotKind.SUBMITTED: _l("提出版"),
    SnapshotKind.REVISED: _l("修正版"),
    SnapshotKind.FINAL: _l("最終版"),
}

# Where proposals are presented (DOMAIN.md: director-level meeting, mayors' meeting).
MEETINGS = ("部局長級会議", "8市連携市長会議")
MEETING_LABELS = {"部局長級会議": _l("部局長級会議"), "8市連携市長会議": _l("8市連携市長会議")}
