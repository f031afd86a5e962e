"""Forms for sign-in and accounts. Labels and messages are Japanese msgids, translated by Babel."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from core.forms import choices
from people.models import Role
from people.services import PASSWORD_MAX, PASSWORD_MIN

REQUIRED = _l("入力してください。")
EMAIL_INVALID = _l("メールアドレスの形式が正しくありません。")

PASSWORD_MESSAGES = {
    "too_short": _l("パスワードは%(n)s文字以上にしてください。", n=PASSWORD_MIN),
    "too_long": _l("パスワードは%(n)s文字以内にしてください。", n=PASSWORD_MAX),
    "like_email": _l("メールアドレスと同じパスワードは使えません。"),
    "too_simple": _l("同じ文字の繰り返しではなく、推測されにくいパスワードにしてください。"),
    "wrong_password": _l("現在のパスワードが正しくありません。"),
    "email_taken": _l("このメールアドレスは既に使われています。"),
    "same_email": _l("現在と同じメールアドレスです。"),
    "coordinator_needs_city": _l("各市担当者には市を選んでください。"),
}

ROLE_LABELS = {
    Role.ADMIN: _l("事務局"),
    Role.FACILITATOR: _l("ファシリテーター"),
    Role.COORDINATOR: _l("各市担当者"),
    Role.PARTICIPANT: _l("参加者"),
    Role.ALUMNUS: _l("修了生"),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("ログイン"))


class NewPasswordForm(FlaskForm):
    """Set a password (invitation, reset)."""

    password = PasswordField(_l("新しいパスワード"), validators=[
        DataRequired(REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                       message=_l("%(min)s〜%(max)s文字で入力してください。",
                                                  min=PASSWORD_MIN, max=PASSWORD_MAX))])
    confirm = PasswordField(_l("新しいパスワード（確認）"), validators=[
        DataRequired(REQUIRED), EqualTo("password", message=_l("確認用のパスワードが一致しません。"))])
    submit = SubmitField(_l("パスワードを設定"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID)])
    submit = SubmitField(_l("再設定の案内を送る"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("現在のパスワード"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("新しいパスワード"), validators=[
        DataRequired(REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                       message=_l("%(min)s〜%(max)s文字で入力してください。",
                                                  min=PASSWORD_MIN, max=PASSWORD_MAX))])
    confirm = PasswordField(_l("新しいパスワード（確認）"), validators=[
        DataRequired(REQUIRED), EqualTo("new_password", message=_l("確認用のパスワードが一致しません。"))])
    submit = SubmitField(_l("パスワードを変更"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("表示言語"), choices=choices([("ja", "日本語"), ("en", "English")]))
    submit = SubmitField(_l("保存"))


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("新しいメールアドレス"), validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID),
                                                      Length(max=254)])
    password = PasswordField(_l("現在のパスワード"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("確認メールを送る"))


class InviteForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(REQUIRED), Email(EMAIL_INVALID),
                                                  Length(max=254)])
    name = StringField(_l("氏名（漢字）"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       description=_l("姓と名の間に空白を入れてください（例：佐藤 花子）。"))
    name_kana = StringField(_l("ふりがな"), validators=[Optional(), Length(max=200)],
                            description=_l("例：さとう はなこ"))
    role = SelectField(_l("役割"), validators=[DataRequired(REQUIRED)])
    city = SelectField(_l("所属市"), validators=[Optional(strip_whitespace=False)])
    submit = SubmitField(_l("招待を送る"))

    def __init__(self, *args: object, roles: list[Role], cities: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = choices((r.value, str(ROLE_LABELS[r])) for r in roles)
        self.city.choices = choices([("", "—"), *cities])

    def validate_city(self, field: SelectField) -> None:
        if self.role.data == Role.COORDINATOR.value and not field.data:
            raise ValueError(str(PASSWORD_MESSAGES["coordinator_needs_city"]))
