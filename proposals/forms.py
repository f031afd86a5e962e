"""Forms of the proposal pages. Labels and messages are Japanese msgids (translated by Babel)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import choices
from proposals.vocab import DIRECTION_LABELS, FIELD_LABELS, MEETING_LABELS, MEETINGS, Direction, PolicyField

REQUIRED = _l("入力してください。")
TEXT_LIMIT = 20000  # characters in one section: far beyond any length hint, a guard against accidents

MESSAGES = {
    "incomplete": _l("未記入の項目があるため提出できません。"),
    "already_submitted": _l("この版はすでに提出されています（二重送信は受け付けません）。"),
    "no_changes": _l("前回の提出から変更がないため、新しい版は作られませんでした。"),
    "stale": _l("ほかの人が先に変更しました。最新の内容を表示しています。もう一度操作してください。"),
    "wrong_status": _l("今の状態ではこの操作はできません。"),
    "reviews_not_released": _l("査読結果の公開後に修正版を提出できます。"),
    "in_round": _l("査読ラウンドに入っているため取り下げられません。"),
    "cohort_closed": _l("この期はすでに終了しています。"),
    "hand_in_closed": _l("この期はすでに終了しているため、提出・修正版の提出・最終版の確定はできません。"),
    "not_editable": _l("この提案書は編集できない状態です。"),
    "unknown_city": _l("選択できない市が含まれています。"),
    "empty": _l("入力してください。"),
    "min_gt_max": _l("上限は下限以上にしてください。"),
    "title_required": _l("提案名はテンプレートから外せません。"),
    "levels": _l("5段階すべての説明を入力してください。"),
    "first_save_race": _l("同時にほかの人がこの項目を書き始めました。最新の内容を確認して、もう一度保存してください。"),
    "unknown_base": _l("編集の元になった版が見つかりません。ページを開き直してください。"),
    "not_this_section": _l("この項目の版ではありません。"),
    "conflict_markers": _l("競合の印（<<<<<<< や >>>>>>> の行）が残っています。残す内容を決めて印の行を消してから保存してください。"),
    "base_revision_invalid": _l("編集の元になった版が見つかりません。ページを開き直してください。"),
    "page_deleted": _l("この項目は削除されています。"),
}

TAG_LABELS = {
    "cities": _l("参加市"),
    "policy_field": _l("政策分野"),
    "directions": _l("連携の方向性"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewProposalForm(FlaskForm):
    title = StringField(_l("提案名"), validators=[DataRequired(REQUIRED), Length(max=200)],
                        description=_l("あとから変更できます。"))
    submit = SubmitField(_l("提案書をつくる"))


class SectionForm(FlaskForm):
    text = TextAreaField(_l("本文"), validators=[Length(max=TEXT_LIMIT, message=_l(
        "%(max)d文字以内で入力してください。"))])
    comment = StringField(_l("変更のメモ（任意）"), validators=[Optional(), Length(max=200)],
                          description=_l("履歴に残ります（例：査読コメントを受けて効果を数値で補強）。"))
    base_revision_id = HiddenField()
    submit = SubmitField(_l("保存"))

    def base_id(self) -> int | None:
        value = (self.base_revision_id.data or "").strip()
        return int(value) if value.isdecimal() else None


class TitleSectionForm(SectionForm):
    text = StringField(_l("提案名"), validators=[DataRequired(REQUIRED), Length(max=200)])


class TagsForm(FlaskForm):
    cities = MultiCheckboxField(_l("参加市"), coerce=int, validate_choice=False)
    policy_field = SelectField(_l("政策分野"), validators=[Optional(strip_whitespace=False)])
    directions = MultiCheckboxField(_l("連携の方向性"), validate_choice=False,
                                    description=_l("一つ以上選んでください。"))
    version = HiddenField()
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, city_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cities.choices = choices(city_choices)
        self.policy_field.choices = choices([("", "—"), *((f.value, str(FIELD_LABELS[f])) for f in PolicyField)])
        self.directions.choices = choices((d.value, str(DIRECTION_LABELS[d])) for d in Direction)
        self._city_ids = {c for c, _ in city_choices}

    def validate_cities(self, field: MultiCheckboxField) -> None:
        if any(c not in self._city_ids for c in field.data or []):
            raise ValidationError(str(MESSAGES["unknown_city"]))

    def validate_directions(self, field: MultiCheckboxField) -> None:
        valid = {d.value for d in Direction}
        if any(d not in valid for d in field.data or []):
            raise ValidationError(_l("選択肢から選んでください。"))

    def validate_policy_field(self, field: SelectField) -> None:
        if field.data and field.data not in {f.value for f in PolicyField}:
            raise ValidationError(_l("選択肢から選んでください。"))


class HandInForm(FlaskForm):
    """Submit / revise / finalise: the number of snapshots the page saw guards a double submit."""

    expected = HiddenField()
    submit = SubmitField(_l("提出する"))

    def expected_count(self) -> int | None:
        value = (self.expected.data or "").strip()
        return int(value) if value.isdecimal() else None


class ConfirmForm(FlaskForm):
    """A bare POST (withdraw, restore …): only the CSRF token."""


class PresentForm(FlaskForm):
    presented_on = DateField(_l("発表日"), validators=[InputRequired(REQUIRED)])
    meeting = SelectField(_l("発表した会議"), choices=choices((m, MEETING_LABELS[m]) for m in MEETINGS))
    note = TextAreaField(_l("メモ（任意）"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("発表を記録"))


class DecisionForm(FlaskForm):
    adopted = RadioField(_l("結果"), choices=choices([("yes", _l("検討テーマとして採択")), ("no", _l("採択されなかった"))]),
                         validators=[InputRequired(_l("どちらかを選んでください。"))])
    note = TextAreaField(_l("決定の内容・理由"), validators=[DataRequired(REQUIRED), Length(max=4000)])
    submit = SubmitField(_l("決定を記録"))


class FollowUpForm(FlaskForm):
    noted_on = DateField(_l("日付"), validators=[InputRequired(REQUIRED)])
    text = TextAreaField(_l("その後の経過"), validators=[DataRequired(REQUIRED), Length(max=4000)],
                         description=_l("例：翌年度の部局長級会議で検討状況を報告。2市で試行を開始。"))
    submit = SubmitField(_l("経過を追加"))


class IntroForm(FlaskForm):
    intro = TextAreaField(_l("提案書全体の説明"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("保存"))


class TemplateSectionForm(FlaskForm):
    heading = StringField(_l("見出し"), validators=[DataRequired(REQUIRED), Length(max=100)])
    guidance = TextAreaField(_l("書き方のヒント"), validators=[Optional(), Length(max=4000)])
    min_chars = IntegerField(_l("文字数の目安（下限）"), validators=[Optional(), NumberRange(
        min=0, max=TEXT_LIMIT, message=_l("%(min)s〜%(max)sの数で入力してください。"))])
    max_chars = IntegerField(_l("文字数の目安（上限）"), validators=[Optional(), NumberRange(
        min=1, max=TEXT_LIMIT, message=_l("%(min)s〜%(max)sの数で入力してください。"))])
    required = BooleanField(_l("提出に必須"), default=True)
    submit = SubmitField(_l("保存"))

    def validate_max_chars(self, field: IntegerField) -> None:
        if field.data is not None and self.min_chars.data is not None and self.min_chars.data > field.data:
            raise ValidationError(str(MESSAGES["min_gt_max"]))


class CriterionForm(FlaskForm):
    name = StringField(_l("観点"), validators=[DataRequired(REQUIRED), Length(max=100)])
    description = TextAreaField(_l("説明"), validators=[Optional(), Length(max=2000)])
    level_1 = StringField(_l("1（不十分）"), validators=[DataRequired(REQUIRED), Length(max=300)])
    level_2 = StringField(_l("2"), validators=[DataRequired(REQUIRED), Length(max=300)])
    level_3 = StringField(_l("3（標準）"), validators=[DataRequired(REQUIRED), Length(max=300)])
    level_4 = StringField(_l("4"), validators=[DataRequired(REQUIRED), Length(max=300)])
    level_5 = StringField(_l("5（優れている）"), validators=[DataRequired(REQUIRED), Length(max=300)])
    submit = SubmitField(_l("保存"))

    def levels(self) -> list[str]:
        return [getattr(self, f"level_{n}").data or "" for n in range(1, 6)]


class MoveForm(FlaskForm):
    direction = HiddenField()

    def step(self) -> int:
        return -1 if self.direction.data == "up" else 1


class RetireForm(FlaskForm):
    retire = HiddenField()

    def wanted(self) -> bool:
        return self.retire.data != "0"
