"""The kinds of notification: what each says, in Japanese and English, from the event's plain params.

Areas publish ``core.events.Event(kind, …, params)``; the text is written here, once, with named
placeholders. Conventions for params (see docs/notifications.md):

- ``title`` names the object; ``title_en`` (any ``<key>_en``) is used instead for English readers;
- keys ending in ``_at`` hold ISO datetimes (or datetimes) and are shown in Japan time;
- ``fiscal_year`` is shown as 令和8年度 / FY2026; ``status`` is shown through ``STATUS_LABELS``
  unless ``status_label`` (and ``status_label_en``) is given;
- the actor's name is never a param: it comes from ``actor_id`` and is left out when the event hides
  the actor.

A kind nobody defined still shows (a generic message), never crashes. Higher areas may add kinds
with ``register(Kind(...))``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l

from core import dates
from notify.models import Channel


@dataclass(frozen=True)
class Kind:
    name: str
    label: LazyString  # on the preferences page: "when …"
    text: LazyString  # the message, with %(param)s placeholders
    text_anonymous: LazyString | None = None  # when no actor may be named (or none is known)
    detail: LazyString | None = None  # a second line, e.g. the deadline
    default: Channel = Channel.IMMEDIATE
    due_param: str | None = None  # a reminder: this param is the deadline; stale once it has passed
    order: int = 100


STATUS_LABELS: dict[str, LazyString] = {
    "draft": _l("下書き"),
    "submitted": _l("提出済み"),
    "in_review": _l("査読中"),
    "reviewed": _l("査読済み"),
    "revising": _l("改訂中"),
    "revised": _l("改訂済み"),
    "final": _l("最終版"),
    "presented": _l("発表済み"),
    "adopted": _l("検討テーマに採択"),
    "not_adopted": _l("不採択"),
    "withdrawn": _l("取り下げ"),
}

GENERIC = Kind("generic", _l("その他のお知らせ"), _l("お知らせ：%(title)s"),
               text_anonymous=None, order=999)
GENERIC_UNTITLED = _l("新しいお知らせがあります")

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


for _kind in (
    Kind("assignment.posted", _l("課題が出されたとき"), _l("新しい課題「%(title)s」が出されました"),
         detail=_l("締切：%(due_at)s"), order=10),
    Kind("deadline.near", _l("締切が近づいたとき（未提出の場合）"), _l("「%(title)s」の締切まであと%(remaining)sです"),
         detail=_l("締切：%(due_at)s"), due_param="due_at", order=20),
    Kind("submission.feedback", _l("提出物にフィードバックが届いたとき"),
         _l("課題「%(title)s」の提出物に%(actor)sさんからフィードバックが届きました"),
         text_anonymous=_l("課題「%(title)s」の提出物にフィードバックが届きました"), order=30),
    Kind("session.reminder", _l("回の前日"), _l("「%(title)s」は%(starts_at)sからです"),
         detail=_l("会場：%(place)s"), due_param="starts_at", order=40),
    Kind("review.assigned", _l("査読を割り当てられたとき"),
         _l("査読ラウンド「%(round)s」で提案書%(count)s件の査読を担当することになりました"),
         detail=_l("締切：%(due_at)s"), order=50),
    Kind("review.released", _l("査読結果が公開されたとき"), _l("提案書「%(title)s」への査読結果が公開されました"),
         order=60),
    Kind("proposal.status", _l("提案書の状態が変わったとき"), _l("提案書「%(title)s」の状態が「%(status)s」になりました"),
         order=70),
    Kind("page.mention", _l("自分が言及されたとき"), _l("%(actor)sさんが「%(title)s」であなたに言及しました"),
         text_anonymous=_l("「%(title)s」であなたが言及されました"), order=80),
    Kind("page.comment", _l("ページにコメントがついたとき"), _l("%(actor)sさんが「%(title)s」にコメントしました"),
         text_anonymous=_l("「%(title)s」に新しいコメントがあります"), default=Channel.DAILY, order=90),
    Kind("directory.confirm", _l("年度初めの所属・役職の確認"), _l("%(fiscal_year)sの所属・役職を確認してください"),
         order=100),
):
    register(_kind)


def get(name: str) -> Kind:
    """The kind's definition; a generic one for a kind nobody defined."""
    return _KINDS.get(name, GENERIC)


def is_known(name: str) -> bool:
    return name in _KINDS


def known() -> list[Kind]:
    """Every defined kind, in the order of the preferences page."""
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


# --- rendering -----------------------------------------------------------------------------------

class _Params(dict[str, str]):
    """Formatting values: a missing placeholder shows a dash instead of raising."""

    def __missing__(self, key: str) -> str:
        return "—"


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=dates.TOKYO)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dates.UTC)
    return None


def due_of(kind: Kind, params: Mapping[str, Any]) -> datetime | None:
    """The deadline of a reminder (None for other kinds, or when the param is missing)."""
    return _as_datetime(params.get(kind.due_param)) if kind.due_param else None


def remaining_text(due: datetime, now: datetime) -> str:
    seconds = (due - now).total_seconds()
    if seconds >= 86400:
        days = int(seconds // 86400)
        return ngettext("%(num)d日", "%(num)d日", days)
    if seconds >= 3600:
        hours = int(seconds // 3600)
        return ngettext("%(num)d時間", "%(num)d時間", hours)
    return str(_l("1時間未満"))


def _value(key: str, params: Mapping[str, Any], locale: str) -> str:
    value = params.get(f"{key}_en", params[key]) if locale == "en" else params[key]
    if key == "fiscal_year" and isinstance(value, int):
        return dates.fiscal_year_label(value, locale)
    if key == "status":
        own = params.get("status_label_en") if locale == "en" else None
        label = own or params.get("status_label")
        if label:
            return str(label)
        return str(STATUS_LABELS[value]) if value in STATUS_LABELS else str(value)
    if key.endswith("_at"):
        moment = _as_datetime(value)
        if moment is not None:
            return dates.format_datetime_jst(moment, locale)
    return "" if value is None else str(value)


def format_params(kind: Kind, params: Mapping[str, Any], *, locale: str, now: datetime,
                  actor_name: str | None) -> _Params:
    shown = _Params()
    for key in params:
        if key.endswith("_en") or key.startswith("status_label"):
            continue
        shown[key] = _value(key, params, locale)
    due = due_of(kind, params)
    if due is not None:
        shown["remaining"] = remaining_text(due, now)
    if actor_name:
        shown["actor"] = actor_name
    return shown


@dataclass(frozen=True)
class Message:
    text: str
    detail: str


def render(kind_name: str, params: Mapping[str, Any], *, locale: str, now: datetime,
           actor_name: str | None = None) -> Message:
    """The message in the current locale (call inside ``force_locale`` for someone else's language)."""
    kind = get(kind_name)
    shown = format_params(kind, params, locale=locale, now=now, actor_name=actor_name)
    if kind is GENERIC and "title" not in params:
        template: LazyString = GENERIC_UNTITLED
    elif actor_name is None and kind.text_anonymous is not None:
        template = kind.text_anonymous
    else:
        template = kind.text
    detail = ""
    if kind.detail is not None:
        names = [part.split(")")[0] for part in str(kind.detail).split("%(")[1:]]
        if all(name in params for name in names):  # no half-empty second line
            detail = str(kind.detail) % shown
    return Message(text=str(template) % shown, detail=detail)
