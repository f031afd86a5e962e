"""Forms of peer review: opening and running a round, writing a review, answering it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, Field, HiddenField, IntegerField, RadioField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core import dates
from core.forms import choices
from proposals.forms import MultiCheckboxField
from proposals.review.models import RoundCriterion

REQUIRED = _l("入力してください。")

MESSAGES = {
    "deadline_past": _l("締切は今より後の日時にしてください。"),
    "opens_past": _l("開始日時は今より後の日時にしてください。"),
    "opens_after_deadline": _l("開始日時は締切より前にしてください。"),
    "reviews_range": _l("1〜10の数で入力してください。"),
    "no_proposals": _l("査読する提案書を一つ以上選んでください（提出済みで、ほかのラウンドに入っていないもの）。"),
    "no_snapshot": _l("提出版のない提案書は選べません。"),
    "no_criteria": _l("テンプレートに評価の観点がありません。事務局に観点の設定を依頼してください。"),
    "not_alumnus": _l("修了生のみ招待できます。"),
    "round_published": _l("公開済みのラウンドでは、この操作はできません。"),
    "round_closed": _l("このラウンドは終了しています。"),
    "round_not_open": _l("このラウンドは受付中ではありません。"),
    "not_in_pool": _l("この人は査読者の候補に入っていません。"),
    "own_team": _l("自分のチーム（またはメンターを務めるチーム）の提案書は査読できません。"),
    "duplicate": _l("この人はすでにこの提案書の査読者です。"),
    "same_reviewer": _l("現在と同じ査読者です。"),
    "already_submitted": _l("提出済みの査読は付け替えられません。"),
    "withdrawn": _l("この割り当ては取り消されています。"),
    "already_published": _l("このラウンドはすでに公開されています。"),
    "uncovered": _l("査読者のいない提案書があります。割り当てを追加してから公開してください。"),
    "already_released": _l("査読結果はすでに公開されています。"),
    "not_later": _l("今の締切より後の日時にしてください。"),
    "not_open": _l("このラウンドは受付中ではありません。"),
    "not_yours": _l("あなたの査読ではありません。"),
    "locked": _l("この査読は締め切られたか、結果が公開されたため編集できません。"),
    "stale": _l("この査読は別の画面で先に保存されています。最新の内容を確認してから、もう一度保存してください。"),
    "response_stale": _l("ほかのメンバーが先に返答を保存しました。上の返答を確認してから、もう一度保存してください。"),
    "score_missing": _l("1〜5のいずれかを選んでください。"),
    "score_range": _l("1〜5のいずれかを選んでください。"),
    "overall_missing": _l("総評を入力してください。"),
    "not_released": _l("査読結果の公開後に操作できます。"),
    "empty": _l("入力してください。"),
    "unknown_revision": _l("この提案書の版から選んでください。"),
    "range": _l("1〜5のいずれかを選んでください。"),
}

HELPFULNESS_LABELS = {
    1: _l("参考にならなかった"),
    2: _l("あまり参考にならなかった"),
    3: _l("ある程度参考になった"),
    4: _l("参考になった"),
    5: _l("とても参考になった"),
}


OPENS_AT_HINT = _l("空欄なら手動で公開します。日時を入れると、その時刻に自動で公開し査読者に知らせます。")


class LocalDateTimeField(StringField):
    """An HTML ``datetime-local`` input read as Tokyo time (stored as aware UTC)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(*args, **kwargs)
        self.moment: datetime | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.moment = None
        if self.data:
            try:
                self.moment = dates.parse_local_datetime(self.data)
            except ValueError:
                self.moment = None

    def pre_validate(self, form: Any) -> None:
        if self.data and self.moment is None:
            raise ValidationError(_l("日時を正しく入力してください（例：2026-12-10T17:00）。"))


class RoundForm(FlaskForm):
    title = StringField(_l("ラウンド名"), validators=[DataRequired(REQUIRED), Length(max=200)],
                        description=_l("例：中間発表後の相互評価"))
    deadline = LocalDateTimeField(_l("締切"), validators=[DataRequired(REQUIRED)])
    opens_at = LocalDateTimeField(_l("自動で開始する日時"), validators=[Optional()], description=OPENS_AT_HINT)
    reviews_per_proposal = IntegerField(_l("1つの提案書あたりの査読数"), default=3, validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=10, message=_l("1〜10の数で入力してください。"))])
    proposals = MultiCheckboxField(_l("査読する提案書"), coerce=int, validate_choice=False)
    hide_reviewers = BooleanField(_l("査読者の名前を提案チームに伏せる"), default=True)
    hide_authors = BooleanField(_l("チーム名・メンバーを査読者に伏せる"), default=False)
    include_alumni = BooleanField(_l("修了生にも査読を依頼する"), default=False)
    alumni = MultiCheckboxField(_l("依頼する修了生"), coerce=int, validate_choice=False)
    instructions = TextAreaField(_l("査読者への案内"), validators=[Optional(), Length(max=4000)])
    seed = IntegerField(_l("割り当ての乱数シード"), validators=[Optional(), NumberRange(min=0, max=2**31 - 1)],
                        description=_l("同じシードなら同じ割り当てになります。空欄なら自動で決めます。"))
    submit = SubmitField(_l("割り当てを作成（まだ公開されません）"))

    def __init__(self, *args: Any, proposal_choices: list[tuple[int, str]], alumni_choices: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposals.choices = choices(proposal_choices)
        self.alumni.choices = choices(alumni_choices)
        self._proposal_ids = {p for p, _ in proposal_choices}
        self._alumni_ids = {a for a, _ in alumni_choices}

    def validate_proposals(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(str(MESSAGES["no_proposals"]))
        if any(p not in self._proposal_ids for p in field.data):
            raise ValidationError(str(MESSAGES["no_proposals"]))

    def validate_alumni(self, field: Field) -> None:
        if any(a not in self._alumni_ids for a in field.data or []):
            raise ValidationError(str(MESSAGES["not_alumnus"]))


class SeedForm(FlaskForm):
    seed = IntegerField(_l("乱数シード"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=2**31 - 1)])
    submit = SubmitField(_l("割り当てをやり直す"))


class AlumniForm(FlaskForm):
    alumni = MultiCheckboxField(_l("候補に加える修了生"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("候補に加える"))

    def __init__(self, *args: Any, alumni_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alumni.choices = choices(alumni_choices)
        self._ids = {a for a, _ in alumni_choices}

    def validate_alumni(self, field: Field) -> None:
        if not field.data or any(a not in self._ids for a in field.data):
            raise ValidationError(str(MESSAGES["not_alumnus"]))


class ReviewerChoiceForm(FlaskForm):
    reviewer = SelectField(_l("査読者"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("付け替える"))

    def __init__(self, *args: Any, reviewer_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reviewer.choices = choices(reviewer_choices)
        self._ids = {r for r, _ in reviewer_choices}

    def validate_reviewer(self, field: Field) -> None:
        if field.data not in self._ids:
            raise ValidationError(str(MESSAGES["not_in_pool"]))


class AddAssignmentForm(ReviewerChoiceForm):
    proposal = SelectField(_l("提案書"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("割り当てを追加"))

    def __init__(self, *args: Any, proposal_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal.choices = choices(proposal_choices)
        self._proposal_ids = {p for p, _ in proposal_choices}

    def validate_proposal(self, field: Field) -> None:
        if field.data not in self._proposal_ids:
            raise ValidationError(_l("選択肢から選んでください。"))


class OpensAtForm(FlaskForm):
    """The time at which a draft round opens by itself (empty: no automatic opening)."""
    opens_at = LocalDateTimeField(_l("自動で開始する日時"), validators=[Optional()], description=OPENS_AT_HINT)
    submit = SubmitField(_l("開始日時を保存"))


class DeadlineForm(FlaskForm):
    deadline = LocalDateTimeField(_l("新しい締切"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("締切を延長"))


class DueForm(FlaskForm):
    due_at = LocalDateTimeField(_l("この査読者の締切"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("個別に延長"))


class ActionForm(FlaskForm):
    """Publish, release, close: the round's version guards against acting on an outdated page."""

    version = HiddenField()

    def version_number(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdecimal() else None


def _score(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_l("1〜5のいずれかを選んでください。")) from None


class ReviewFormBase(FlaskForm):
    overall = TextAreaField(_l("総評"), validators=[Length(max=8000)],
                            description=_l("良い点と、さらに良くするための提案を具体的に書いてください。"))
    version = HiddenField()
    save = SubmitField(_l("下書き保存"))
    send = SubmitField(_l("提出する"))

    criteria: list[RoundCriterion] = []

    def version_number(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdecimal() else None

    def score_field(self, criterion: RoundCriterion) -> Field:
        return self[f"score_{criterion.id}"]

    def comment_field(self, criterion: RoundCriterion) -> Field:
        return self[f"comment_{criterion.id}"]


def review_form(criteria: list[RoundCriterion], *args: Any, **kwargs: Any) -> ReviewFormBase:
    """A review form with one score (1–5) and one comment per criterion of the round's rubric."""

    class ReviewForm(ReviewFormBase):
        pass

    for c in criteria:
        setattr(ReviewForm, f"score_{c.id}", RadioField(
            c.name, choices=choices((str(n), str(n)) for n in range(1, 6)), coerce=_score, validate_choice=False,
            validators=[Optional()]))
        setattr(ReviewForm, f"comment_{c.id}", TextAreaField(_l("コメント"), validators=[Length(max=4000)]))
    ReviewForm.criteria = list(criteria)
    return ReviewForm(*args, **kwargs)


class ResponseForm(FlaskForm):
    text = TextAreaField(_l("チームからの返答"), validators=[DataRequired(REQUIRED), Length(max=8000)],
                         description=_l("指摘をどう受け止め、どこをどう直したか（直さなかった理由）を書きます。"))
    revisions = MultiCheckboxField(_l("この査読を受けて変更した項目の版"), validate_choice=False)
    version = HiddenField()
    submit = SubmitField(_l("返答を保存"))

    def __init__(self, *args: Any, revision_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.revisions.choices = choices(revision_choices)
        self._ids = {v for v, _ in revision_choices}

    def validate_revisions(self, field: Field) -> None:
        if any(v not in self._ids for v in field.data or []):
            raise ValidationError(str(MESSAGES["unknown_revision"]))

    def links(self) -> list[tuple[str, int]]:
        out = []
        for value in self.revisions.data or []:
            key, _, rev = value.rpartition(":")
            if rev.isdecimal():
                out.append((key, int(rev)))
        return out

    def version_number(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdecimal() else None


class HelpfulnessForm(FlaskForm):
    value = RadioField(_l("この査読はどのくらい参考になりましたか"), coerce=_score, validate_choice=False,
                       choices=choices((str(n), label) for n, label in HELPFULNESS_LABELS.items()),
                       validators=[InputRequired(_l("いずれかを選んでください。"))])
    submit = SubmitField(_l("評価する"))

    def validate_value(self, field: Field) -> None:
        if field.data not in HELPFULNESS_LABELS:
            raise ValidationError(_l("いずれかを選んでください。"))
