"""The preferences form: one choice per kind of notification."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.validators import AnyOf, DataRequired

from core.forms import choices
from notify import kinds
from notify.models import Channel

CHANNEL_LABELS = {
    Channel.IMMEDIATE: _l("すぐにメール"),
    Channel.DAILY: _l("毎日のまとめ"),
    Channel.WEEKLY: _l("毎週のまとめ"),
    Channel.NONE: _l("メールなし（サイト内のみ）"),
}
CHOOSE = _l("受け取り方を選んでください。")
INVALID = _l("選択肢の中から選んでください。")


def field_name(kind: str) -> str:
    return "kind_" + kind.replace(".", "__")


class _Base(FlaskForm):
    submit = SubmitField(_l("設定を保存"))

    def choices_by_kind(self) -> dict[str, Channel]:
        return {k.name: Channel(getattr(self, field_name(k.name)).data) for k in kinds.known()}

    def kind_fields(self) -> list[tuple[kinds.Kind, SelectField]]:
        return [(k, getattr(self, field_name(k.name))) for k in kinds.known()]


def preferences_form(current: Mapping[str, Channel]) -> _Base:
    """A form with a select per defined kind, preset to the person's current channels."""

    class PreferencesForm(_Base):
        pass

    # A select left out of the posted form keeps the person's current choice (its default);
    # an empty or unknown value is refused at the field.
    options = choices((c.value, label) for c, label in CHANNEL_LABELS.items())
    values = [c.value for c in Channel]
    for kind in kinds.known():
        field = SelectField(kind.label, choices=options, default=current[kind.name].value,
                            validators=[DataRequired(CHOOSE), AnyOf(values, message=INVALID)],
                            validate_choice=False)
        setattr(PreferencesForm, field_name(kind.name), field)
    return PreferencesForm()
