"""Forms of the case library."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import choices
from wiki.cases.labels import FIELDS, KINDS
from wiki.cases.services import CaseInput, split_bodies

REQUIRED = _l("入力してください。")

MESSAGES = {
    "required": REQUIRED,
    "bodies_required": _l("連携している自治体・団体を1つ以上入力してください。"),
    "bodies_too_many": _l("自治体・団体は30件まで、1件100文字までにしてください。"),
    "unknown_field": _l("分野を選んでください。"),
    "unknown_kind": _l("連携の形態を選んでください。"),
    "slug_invalid": _l("半角の英小文字・数字・ハイフンで入力してください（例：yokohama-library）。"),
    "slug_taken": _l("このアドレスは既に使われています。"),
    "reason_required": _l("見送る理由を入力してください（提案した人に表示されます）。"),
    "already_decided": _l("この提案は既に判断済みです。"),
}


class CaseForm(FlaskForm):
    title = StringField(_l("事例名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    title_en = StringField(_l("英語の事例名"), validators=[Optional(), Length(max=200)])
    bodies = TextAreaField(_l("連携している自治体・団体"), validators=[DataRequired(REQUIRED), Length(max=3000)],
                           description=_l("読点・カンマまたは改行で区切ってください（例：横浜市、川崎市）"))
    prefecture = StringField(_l("都道府県"), validators=[Optional(), Length(max=60)])
    field = SelectField(_l("分野"), validators=[DataRequired(_l("分野を選んでください。"))])
    kind = SelectField(_l("連携の形態"), validators=[DataRequired(_l("連携の形態を選んでください。"))])
    period = StringField(_l("期間"), validators=[Optional(), Length(max=100)],
                         description=_l("例：2019年度（令和元年度）〜"))
    summary = TextAreaField(_l("概要"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    results = TextAreaField(_l("成果"), validators=[Optional(), Length(max=5000)],
                            description=_l("数字で示せる成果があれば書いてください。"))
    source = StringField(_l("出典"), validators=[Optional(), Length(max=500)],
                         description=_l("報告書名・発行者・年月など、確かめられる出典"))
    submit = SubmitField(_l("提案する"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.field.choices = choices([("", _l("選んでください"))] + list(FIELDS.items()))
        self.kind.choices = choices([("", _l("選んでください"))] + list(KINDS.items()))

    def to_input(self) -> CaseInput:
        return CaseInput(title=self.title.data or "", title_en=self.title_en.data or "",
                         bodies=split_bodies(self.bodies.data), prefecture=self.prefecture.data or "",
                         field=self.field.data or "", kind=self.kind.data or "", period=self.period.data or "",
                         summary=self.summary.data or "", results=self.results.data or "",
                         source=self.source.data or "")


class DecisionForm(FlaskForm):
    decision = RadioField(_l("判断"), validators=[DataRequired(_l("採用するか見送るかを選んでください。"))])
    slug = StringField(_l("アドレス（/cases/…）"), validators=[Optional(), Length(max=60)],
                       description=_l("空欄なら英語の事例名から作ります。"))
    note = TextAreaField(_l("提案した人へのメッセージ"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("決定"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _l("事例集に採用する")), ("reject", _l("見送る"))])
