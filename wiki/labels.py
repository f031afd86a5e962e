"""Labels the workspace pages show for stored codes (Japanese msgids, English in the catalogue)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from wiki.cases.labels import field_label, kind_label
from wiki.cases.models import CaseStatus
from wiki.models import RevisionKind

REVISION_KINDS = {
    RevisionKind.EDIT: _l("編集"),
    RevisionKind.MERGE: _l("編集（自動統合）"),
    RevisionKind.RESTORE: _l("以前の版に戻す"),
    RevisionKind.DELETE: _l("ページの削除"),
    RevisionKind.UNDELETE: _l("削除の取り消し"),
    RevisionKind.RENAME: _l("名前の変更"),
    RevisionKind.MOVE: _l("移動"),
}

MEMBER_ROLES = {
    "member": _l("メンバー"),
    "mentor": _l("メンター"),
    "facilitator": _l("ファシリテーター"),
}

CASE_STATUSES = {
    CaseStatus.PUBLISHED: _l("採用"),
    CaseStatus.PROPOSED: _l("確認待ち"),
    CaseStatus.REJECTED: _l("見送り"),
}

SEARCH_KIND_BADGES = {"page": "ok", "case": "muted", "proposal": "warn"}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        wiki_revision_kind=lambda kind: str(REVISION_KINDS[kind]),
        wiki_member_role=lambda role: str(MEMBER_ROLES[role]),
        case_field_label=field_label,
        case_kind_label=kind_label,
        case_status_label=lambda status: str(CASE_STATUSES[status]),
    )
