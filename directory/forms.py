"""Directory forms. Labels and messages are Japanese msgids, translated by Babel."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from core.forms import choices
from directory.models import PRIVATE_FIELDS, Visibility
from directory.services import MAX_TAGS, parse_tags

REQUIRED = _l("入力してください。")

VISIBILITY_LABELS = {
    Visibility.MEMBERS: _l("ログインしているメンバー全員"),
    Visibility.COHORT: _l("同じ年度の参加者（同期）"),
    Visibility.CITY: _l("同じ市の職員"),
    Visibility.SECRETARIAT: _l("事務局のみ"),
}
FIELD_LABELS = {
    "department": _l("所属"),
    "position": _l("役職"),
    "interests": _l("関心分野"),
    "skills": _l("得意分野・スキル"),
    "bio": _l("自己紹介"),
    "contact": _l("連絡先"),
}

MESSAGES = {
    "too_many_tags": _l("タグは%(n)s個までにしてください。", n=MAX_TAGS),
    "affiliation_empty": _l("所属か役職のどちらかを入力してください。"),
    "affiliation_date_taken": _l("この日付の所属は登録済みです。内容を直す場合は「現在の所属を修正」を使ってください。"),
    "token_name_missing": _l("トークンの名前を入力してください。"),
    "token_name_taken": _l("同じ名前のトークンがあります。別の名前にしてください。"),
    "already_anonymized": _l("このアカウントは既に匿名化されています。"),
    "cannot_anonymize_self": _l("自分自身のアカウントは匿名化できません。"),
}

IMPORT_MESSAGES = {
    "undecodable": _l("文字コードを判別できません（UTF-8 でも Shift_JIS でも読めない文字があります）。"),
    "empty_file": _l("ファイルが空か、見出し行がありません。"),
    "no_rows": _l("データ行がありません。"),
    "missing_columns": _l("必須の列がありません: %(columns)s"),
    "csv_error": _l("CSV として読めません: %(detail)s"),
    "too_long": _l("%(column)s 列が長すぎます（%(n)s文字まで）。"),
    "email_missing": _l("email が空です。"),
    "email_invalid": _l("メールアドレスの形式が正しくありません: %(value)s"),
    "email_duplicate": _l("メールアドレス %(value)s が %(first)s 行目と重複しています。"),
    "name_missing": _l("name（氏名）が空です。"),
    "kana_invalid": _l("name_kana はひらがなかカタカナで入力してください: %(value)s"),
    "city_unknown": _l("市が見つかりません: %(value)s（団体コードか市の名前を入力してください）"),
    "cohort_fy_invalid": _l("cohort_fy は年度（例: 2024 または R6）で入力してください: %(value)s"),
    "cohort_missing": _l("%(value)s年度のスタディミーティングが登録されていません。"),
    "city_needed": _l("%(value)s年度の参加として登録するには city 列に市を入力してください。"),
    "too_many_tags": _l("interests は%(n)s個までにしてください。"),
}

ACTION_LABELS = {
    "create": _l("新規作成"),
    "update": _l("追加・更新"),
    "unchanged": _l("変更なし"),
}


def problem_text(key: str, params: dict[str, Any]) -> str:
    message = IMPORT_MESSAGES.get(key)
    return str(message) % params if message is not None and params else str(message or key)


def visibility_choices() -> list[Any]:
    return choices((v.value, str(label)) for v, label in VISIBILITY_LABELS.items())


def _tags_ok(form: FlaskForm, field: Any) -> None:
    if len(parse_tags(field.data or "")) > MAX_TAGS:
        raise ValidationError(str(MESSAGES["too_many_tags"]))


class ProfileForm(FlaskForm):
    romaji = StringField(_l("ローマ字"), validators=[Optional(), Length(max=200)],
                         description=_l("ふりがなから自動で作ります。綴りを直したいときだけ入力してください（例：Sato Hanako）。"))
    bio = TextAreaField(_l("自己紹介"), validators=[Optional(), Length(max=4000)],
                        description=_l("Markdown が使えます。担当した仕事、研修で取り組んだテーマなど。"))
    interests = StringField(_l("関心分野"), validators=[Optional(), Length(max=1000), _tags_ok],
                            description=_l("読点かカンマで区切ります（例：防災、地域交通、DX）。"))
    skills = StringField(_l("得意分野・スキル"), validators=[Optional(), Length(max=1000), _tags_ok],
                         description=_l("例：GIS、ファシリテーション、統計"))
    contact_email = EmailField(_l("連絡用メールアドレス"), validators=[
        Optional(), Email(_l("メールアドレスの形式が正しくありません。")), Length(max=254)])
    contact_phone = StringField(_l("電話（内線など）"), validators=[Optional(), Length(max=40)])
    contact_note = StringField(_l("連絡方法のメモ"), validators=[Optional(), Length(max=300)])
    welcomes_mentoring = BooleanField(_l("メンタリングの相談を歓迎します"))
    vis_department = SelectField(FIELD_LABELS["department"])
    vis_position = SelectField(FIELD_LABELS["position"])
    vis_interests = SelectField(FIELD_LABELS["interests"])
    vis_skills = SelectField(FIELD_LABELS["skills"])
    vis_bio = SelectField(FIELD_LABELS["bio"])
    vis_contact = SelectField(FIELD_LABELS["contact"])
    submit = SubmitField(_l("プロフィールを保存"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PRIVATE_FIELDS:
            getattr(self, f"vis_{name}").choices = visibility_choices()

    def visibility(self) -> dict[str, Visibility]:
        return {name: Visibility(getattr(self, f"vis_{name}").data) for name in PRIVATE_FIELDS}


class AffiliationForm(FlaskForm):
    """Fix the affiliation in force (typo, renamed section)."""

    department = StringField(_l("所属（部・課）"), validators=[Optional(), Length(max=200)],
                             description=_l("例：危機管理部 防災課"))
    position = StringField(_l("役職"), validators=[Optional(), Length(max=100)], description=_l("例：主任"))
    submit = SubmitField(_l("現在の所属を修正"))


class TransferForm(FlaskForm):
    """異動しました: a new affiliation from a date; the old one is kept as history."""

    department = StringField(_l("新しい所属（部・課）"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("新しい役職"), validators=[Optional(), Length(max=100)])
    valid_from = DateField(_l("異動日"), validators=[DataRequired(_l("日付を入力してください。"))],
                           description=_l("定期異動なら4月1日です。"))
    submit = SubmitField(_l("異動しました"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("今年度も変わりありません"))


class TokenForm(FlaskForm):
    name = StringField(_l("トークンの名前"), validators=[DataRequired(REQUIRED), Length(max=80)],
                       description=_l("用途が分かる名前（例：庁内名簿との突合スクリプト）"))
    submit = SubmitField(_l("トークンを発行"))


class ErasureForm(FlaskForm):
    reason = TextAreaField(_l("理由（任意）"), validators=[Optional(), Length(max=1000)])
    confirm = BooleanField(_l("氏名・連絡先・プロフィールが消去され、元に戻せないことを理解しました"),
                           validators=[DataRequired(_l("確認のチェックを入れてください。"))])
    submit = SubmitField(_l("削除を依頼する"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV ファイル"), validators=[FileRequired(_l("ファイルを選んでください。"))],
                     description=_l("列: email, name, name_kana, city, department, position, cohort_fy, interests。"
                                    "Excel で保存した Shift_JIS も UTF-8 も読めます。"))
    preview = SubmitField(_l("確認する（まだ登録しません）"))
    run = SubmitField(_l("取り込む"))


class SearchForm(FlaskForm):
    """The directory's GET search (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("キーワード"), validators=[Optional(), Length(max=100)])
    city = SelectField(_l("市"), validators=[Optional(strip_whitespace=False)])
    fy = IntegerField(_l("参加年度"), validators=[Optional(), NumberRange(2000, 2200, _l("年度を正しく入力してください。"))])
    department = StringField(_l("所属"), validators=[Optional(), Length(max=100)])
    interest = StringField(_l("関心分野"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("役割"), validators=[Optional(strip_whitespace=False)])
