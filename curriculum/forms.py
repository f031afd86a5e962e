"""Forms of the curriculum area. Labels and messages are Japanese msgids (lazy), translated by Babel."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, DateTimeLocalInput, ListWidget

from core import storage
from core.dates import parse_local_datetime, to_local_input
from core.forms import choices
from curriculum.messages import message
from curriculum.models import AssignmentKind, AttendanceStatus, SubmissionStatus
from curriculum.services.cohorts import Nominee

REQUIRED = _l("入力してください。")
WHOLE_NUMBER = _l("半角数字で入力してください。")
DATE_INVALID = _l("日付を正しく入力してください。")

# Policy fields (DOMAIN.md), the same codes as the case library's "field".
INTERESTS = {
    "disaster": _l("防災"),
    "health_care": _l("医療・介護"),
    "childcare": _l("子育て"),
    "tourism": _l("観光"),
    "dx": _l("DX"),
    "environment": _l("環境"),
    "workforce": _l("人材"),
    "transport": _l("交通"),
    "infrastructure": _l("インフラ"),
    "economy": _l("産業・経済"),
    "education_culture": _l("教育・文化"),
    "administration": _l("行財政"),
}
ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: _l("出席"),
    AttendanceStatus.LATE: _l("遅刻・早退"),
    AttendanceStatus.ABSENT: _l("欠席"),
}
STATUS_LABELS = {
    SubmissionStatus.SUBMITTED: _l("提出済"),
    SubmissionStatus.NEEDS_REVISION: _l("要修正"),
    SubmissionStatus.COMPLETE: _l("完了"),
}
KIND_LABELS = {
    AssignmentKind.INDIVIDUAL: _l("個人課題"),
    AssignmentKind.TEAM: _l("チーム課題"),
}


def interest_label(code: str) -> str:
    label = INTERESTS.get(code)
    return str(label) if label is not None else code


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _drop_control_characters(value: Any) -> Any:
    """NUL and other control characters never reach the database (PostgreSQL refuses NUL in text)."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


class Form(FlaskForm):
    """Every curriculum form: text fields lose control characters (tabs and line breaks stay)."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if unbound_field.field_class not in (FieldList, FormField):  # containers take no filters
                options["filters"] = (_drop_control_characters, *(options.get("filters") or ()))
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class JSTDateTimeField(Field):
    """A ``datetime-local`` input read as Japan time; ``data`` is aware UTC. Bad input is shown back as typed."""

    widget = DateTimeLocalInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            self.data = None
            return
        try:
            self.data = parse_local_datetime(self.raw)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(_l("日時を正しく入力してください。"))) from exc

    def _value(self) -> str:
        if self.raw:
            return self.raw
        return to_local_input(self.data) if isinstance(self.data, datetime) else ""


# --- cohorts ---------------------------------------------------------------------------------------


class PlacesEntry(Form):
    class Meta:
        csrf = False

    city_id = HiddenField()
    places = IntegerField(
        _l("枠"),
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=0, max=99, message=_l("0〜99の数を入力してください。")),
        ],
    )


class CohortForm(Form):
    fiscal_year = IntegerField(
        _l("年度（西暦）"),
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=2000, max=2200, message=_l("2000〜2200の年を入力してください。")),
        ],
        description=_l("例：2026（令和8年度）。4月1日から翌年3月31日までです。"),
    )
    title_ja = StringField(
        _l("名称（日本語）"),
        validators=[Optional(), Length(max=200)],
        description=_l("空欄なら「令和○年度 8市連携スタディミーティング」とします。"),
    )
    title_en = StringField(_l("名称（英語）"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("開始日"), validators=[Optional()], description=_l("空欄なら年度の初日です。"))
    ends_on = DateField(_l("終了日"), validators=[Optional()], description=_l("空欄なら年度の末日です。"))
    facilitators = MultiCheckboxField(_l("ファシリテーター（複数可）"), coerce=int, validate_choice=True)
    places = FieldList(FormField(PlacesEntry), min_entries=0)
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, facilitator_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facilitators.choices = choices(facilitator_choices)

    def places_by_city(self) -> dict[int, int]:
        return {int(entry.form.city_id.data): int(entry.form.places.data or 0) for entry in self.places}

    def has_errors(self) -> bool:
        """Also counts messages put on a city's places after validation (FieldList keeps a snapshot)."""
        return bool(self.errors) or any(entry.form.places.errors for entry in self.places)

    def place_field(self, city_id: int) -> Field | None:
        for entry in self.places:
            if str(entry.form.city_id.data) == str(city_id):
                return entry.form.places
        return None


class EditCohortForm(CohortForm):
    fiscal_year = None  # type: ignore[assignment]  # the year of a cohort does not change
    edit_token = HiddenField()  # the version the editor saw (see services.check_token)


_LINE_SPLIT = re.compile(r"\s*[,，、\t]\s*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class NominateForm(Form):
    city = SelectField(_l("推薦する市"), validators=[DataRequired(REQUIRED)])
    nominees = TextAreaField(
        _l("推薦する方"),
        validators=[DataRequired(REQUIRED), Length(max=20000)],
        description=_l(
            "1行に1人、「メールアドレス, 氏名, ふりがな」の順に入力します（例：sato.hanako@city.example.lg.jp, 佐藤 花子, さとう はなこ）。アカウントのない方には招待メールが届きます。"
        ),
    )
    submit = SubmitField(_l("推薦する"))

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city.choices = choices(cities)
        self.parsed: list[Nominee] = []

    def validate_nominees(self, field: TextAreaField) -> None:
        parsed: list[Nominee] = []
        problems: list[str] = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = _LINE_SPLIT.split(line.strip())
            if len(parts) < 2 or len(parts) > 3:
                problems.append(message("bad_line", line=number))
                continue
            email, name = parts[0], re.sub(r"[\s\u3000]+", " ", parts[1]).strip()
            kana = re.sub(r"[\s\u3000]+", " ", parts[2]).strip() if len(parts) == 3 else ""
            if not _EMAIL.fullmatch(email) or len(email) > 254:
                problems.append(message("bad_email", line=number))
            elif " " not in name or len(name) > 200 or len(kana) > 200:
                problems.append(message("bad_name", line=number))
            else:
                parsed.append(Nominee(email, name, kana))
        if problems:
            raise ValidationError(" ".join(problems))
        if not parsed:
            raise ValidationError(message("no_nominees"))
        self.parsed = parsed


class InterestsForm(Form):
    interests = MultiCheckboxField(
        _l("関心のある分野"),
        validate_choice=True,
        description=_l("チーム分けのときに、関心が偏らないよう参考にします。"),
    )
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interests.choices = choices((code, str(label)) for code, label in INTERESTS.items())


# --- sessions --------------------------------------------------------------------------------------


class SessionForm(Form):
    number = IntegerField(
        _l("回"),
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=1, max=99, message=_l("1〜99の数を入力してください。")),
        ],
    )
    title = StringField(
        _l("テーマ"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("例：キックオフ・なぜ2040年なのか"),
    )
    starts_at = JSTDateTimeField(_l("開始（日本時間）"), validators=[InputRequired(REQUIRED)])
    ends_at = JSTDateTimeField(_l("終了（日本時間）"), validators=[InputRequired(REQUIRED)])
    host_city = SelectField(_l("担当市"), validators=[Optional(strip_whitespace=False)])
    venue = StringField(
        _l("会場"), validators=[Optional(), Length(max=200)], description=_l("例：横浜市役所 18階 会議室")
    )
    online_url = StringField(
        _l("オンライン参加のURL"),
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=False, message=_l("URLの形式が正しくありません。")),
        ],
    )
    agenda = TextAreaField(_l("次第（Markdown）"), validators=[Optional(), Length(max=20000)])
    edit_token = HiddenField()  # the version the editor saw (editing only; see services.check_token)
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host_city.choices = choices([("", str(_l("（なし・オンライン）"))), *cities])


class MaterialForm(Form):
    file = MultipleFileField(
        _l("資料ファイル"), description=_l("PDF・Office文書・画像など（1ファイル20MBまで）")
    )
    submit = SubmitField(_l("追加"))


class AttendanceEntry(Form):
    class Meta:
        csrf = False

    user_id = HiddenField()
    status = SelectField(_l("出欠"), validators=[Optional(strip_whitespace=False)])
    note = StringField(_l("メモ"), validators=[Optional(), Length(max=200)])
    # What the screen showed when it was opened: a mark someone saved since is never overwritten unseen.
    seen_status = HiddenField()
    seen_note = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices(
            [("", "—"), *((s.value, str(label)) for s, label in ATTENDANCE_LABELS.items())]
        )


class AttendanceForm(Form):
    rows = FieldList(FormField(AttendanceEntry))
    submit = SubmitField(_l("出欠を保存"))


# --- modules ---------------------------------------------------------------------------------------


class OverrideForm(Form):
    title_ja = StringField(_l("題名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    minutes = IntegerField(
        _l("目安の時間（分）"),
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=0, max=600, message=_l("0〜600の数を入力してください。")),
        ],
    )
    body = TextAreaField(_l("本文（Markdown）"), validators=[DataRequired(REQUIRED), Length(max=100000)])
    note = StringField(
        _l("変更のねらい（ファシリテーター向けのメモ）"), validators=[Optional(), Length(max=500)]
    )
    base_version = HiddenField(default="0")
    submit = SubmitField(_l("この期の内容として保存"))


# --- assignments -----------------------------------------------------------------------------------


class AssignmentForm(Form):
    title = StringField(_l("題名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("提出の単位"), validators=[DataRequired(REQUIRED)])
    instructions = TextAreaField(_l("内容・進め方（Markdown）"), validators=[Optional(), Length(max=50000)])
    publish_at = JSTDateTimeField(
        _l("公開日時（日本時間）"),
        validators=[Optional()],
        description=_l("空欄ならすぐに公開し、参加者に知らせます。"),
    )
    due_at = JSTDateTimeField(_l("締切（日本時間）"), validators=[InputRequired(REQUIRED)])
    late_until = JSTDateTimeField(
        _l("遅れての提出の受付期限"),
        validators=[Optional()],
        description=_l(
            "空欄なら締切で受付を終えます。指定すると、締切後の提出は「遅延」として受け付けます。"
        ),
    )
    allowed_types = MultiCheckboxField(_l("受け付けるファイルの種類"), validate_choice=False)
    max_mb = IntegerField(
        _l("1ファイルの上限（MB）"),
        default=10,
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=1, max=20, message=_l("1〜20の数を入力してください。")),
        ],
    )
    edit_token = HiddenField()  # the version the editor saw (editing only; see services.check_token)
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((k.value, str(label)) for k, label in KIND_LABELS.items())
        self.allowed_types.choices = choices((ext, ext) for ext in sorted(storage.DEFAULT_ALLOWED))


class SubmissionForm(Form):
    text = TextAreaField(_l("本文（Markdown）"), validators=[Optional(), Length(max=50000)])
    files = MultipleFileField(_l("ファイル"))
    base_version = HiddenField(default="0")
    submit = SubmitField(_l("提出する"))


class FeedbackForm(Form):
    status = SelectField(_l("状態"), validators=[DataRequired(REQUIRED)])
    body = TextAreaField(_l("コメント（Markdown）"), validators=[Optional(), Length(max=20000)])
    version_id = HiddenField()
    seen_feedback = HiddenField()  # how many feedback entries the page showed (another facilitator's is never missed)
    request_key = HiddenField()
    submit = SubmitField(_l("フィードバックを送る"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices((s.value, str(label)) for s, label in STATUS_LABELS.items())
        if not self.request_key.data:
            self.request_key.data = secrets.token_hex(16)


# --- teams -----------------------------------------------------------------------------------------


class SuggestForm(Form):
    class Meta:
        csrf = False  # a GET form: it only previews

    teams = IntegerField(
        _l("チーム数"),
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=1, max=50, message=_l("1〜50の数を入力してください。")),
        ],
    )
    seed = IntegerField(
        _l("組み合わせ番号"),
        default=1,
        validators=[
            InputRequired(WHOLE_NUMBER),
            NumberRange(min=0, max=999999, message=_l("0〜999999の数を入力してください。")),
        ],
        description=_l("番号を変えると別の組み合わせを提案します。同じ番号なら同じ提案になります。"),
    )
    submit = SubmitField(_l("提案を見る"))


class ApplySuggestionForm(Form):
    teams = HiddenField()
    seed = HiddenField()
    fingerprint = HiddenField()
    submit = SubmitField(_l("この提案でチームを作る"))


class TeamForm(Form):
    name = StringField(_l("チーム名"), validators=[DataRequired(REQUIRED), Length(max=120)])
    mentor = SelectField(_l("メンター（修了生）"), validators=[Optional(strip_whitespace=False)])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args: Any, alumni: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mentor.choices = choices([("", str(_l("（なし）"))), *alumni])


class NewTeamForm(Form):
    name = StringField(
        _l("チーム名"),
        validators=[Optional(), Length(max=120)],
        description=_l("空欄なら「チーム（番号）」とします。"),
    )
    submit = SubmitField(_l("チームを追加"))


class MoveForm(Form):
    person = SelectField(_l("参加者"), validators=[DataRequired(REQUIRED)])
    team = SelectField(_l("移動先"), validators=[Optional(strip_whitespace=False)])
    submit = SubmitField(_l("移動する"))

    def __init__(
        self, *args: Any, people: list[tuple[str, str]], teams: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person.choices = choices(people)
        self.team.choices = choices([("", str(_l("（チームから外す）"))), *teams])
