"""Forms of the workspaces. Labels and messages are Japanese msgids (English in the catalogue)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from wiki.links import TITLE_MAX
from wiki.services import COMMENT_MAX, TEXT_MAX

REQUIRED = _l("入力してください。")

# DomainError codes of the wiki → what the person reads at the field.
MESSAGES = {
    "title_required": _l("タイトルを入力してください。"),
    "title_too_long": _l("タイトルは%(n)s文字以内にしてください。", n=TITLE_MAX),
    "title_invalid": _l("タイトルに使える文字がありません。記号だけのタイトルは使えません。"),
    "title_unchanged": _l("今と同じタイトルです。"),
    "page_exists": _l("このタイトルのページは既にあります。別のタイトルにするか、そのページを編集してください。"),
    "page_deleted_exists": _l("このタイトルのページは削除されています。履歴から元に戻せます。"),
    "page_exists_in_target": _l("移動先に同じタイトルのページがあります。先にどちらかの名前を変えてください。"),
    "conflict_markers": _l("「<<<<<<<」「>>>>>>>」の行が残っています。どちらの文章を残すか決めて、印の行を消してから保存してください。"),
    "text_too_long": _l("本文が長すぎます（%(n)s文字まで）。ページを分けてください。", n=TEXT_MAX),
    "page_deleted": _l("このページは削除されています。"),
    "page_deleted_while_editing": _l("編集している間に、このページは削除されました。入力した内容はここに残っています。"
                                     "ページを元に戻してから保存し直すか、内容を控えてください。"),
    "base_revision_invalid": _l("編集の元になった版が見つかりません。ページを開き直してください。"),
    "edit_conflict": _l("あなたが編集している間に、他の人が同じ箇所を変更しました。"),
    "comment_required": _l("コメントを入力してください。"),
    "comment_too_long": _l("コメントは%(n)s文字以内にしてください。", n=COMMENT_MAX),
    "same_space": _l("このページは既にそのスペースにあります。"),
    "move_not_allowed": _l("そのスペースには移動できません。"),
    "file_type": _l("この種類のファイルはアップロードできません（PDF、Office文書、画像、テキスト、ZIP）。"),
    "file_size": _l("ファイルが大きすぎます（20MBまで）。"),
    "file_empty": _l("ファイルが空です。"),
    "file_already_removed": _l("このファイルは既に取り除かれています。"),
    "file_not_removed": _l("このファイルは取り除かれていません。"),
    "page_already_deleted": _l("このページは既に削除されています。"),
    "page_not_deleted": _l("このページは削除されていません。"),
}


class NewPageForm(FlaskForm):
    title = StringField(_l("タイトル"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)])
    text = TextAreaField(_l("本文（Markdown）"), validators=[Length(max=TEXT_MAX)])
    comment = StringField(_l("編集の要約"), validators=[Optional(), Length(max=300)],
                          description=_l("何を書いたかを一言で（履歴に表示されます）"))
    save = SubmitField(_l("ページを作成"))
    preview = SubmitField(_l("プレビュー"))


class EditForm(FlaskForm):
    text = TextAreaField(_l("本文（Markdown）"), validators=[Length(max=TEXT_MAX)])
    comment = StringField(_l("編集の要約"), validators=[Optional(), Length(max=300)],
                          description=_l("何を変えたかを一言で（履歴に表示されます）"))
    base_revision_id = HiddenField()
    conflict_yours = HiddenField()  # after a conflict: what was typed, shown again until it is resolved
    save = SubmitField(_l("保存"))
    preview = SubmitField(_l("プレビュー"))


class RenameForm(FlaskForm):
    title = StringField(_l("新しいタイトル"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)])
    comment = StringField(_l("理由"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("名前を変更"))


class MoveForm(FlaskForm):
    target = SelectField(_l("移動先"), validators=[DataRequired(_l("移動先を選んでください。"))])
    comment = StringField(_l("理由"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("移動"))


class ActionForm(FlaskForm):
    """A button that posts (delete, restore, publish …) with an optional reason, and the page version
    the person was looking at (restore and delete refuse when someone saved since)."""

    comment = StringField(_l("理由"), validators=[Optional(), Length(max=300)])
    seen_version = HiddenField()

    def saved_since(self, version: int) -> bool:
        """True when the page has a newer version than the one on the person's screen."""
        seen = (self.seen_version.data or "").strip()
        return seen.isdecimal() and int(seen) != version


class CommentForm(FlaskForm):
    body = TextAreaField(_l("コメント"), validators=[DataRequired(_l("コメントを入力してください。")),
                                                  Length(max=COMMENT_MAX)],
                         description=_l("@に続けて名前を書くと、その人に通知されます（例：@横浜一花）"))
    submit = SubmitField(_l("コメントする"))


class UploadForm(FlaskForm):
    file = FileField(_l("ファイル"), validators=[FileRequired(_l("ファイルを選んでください。"))])
    description = StringField(_l("説明"), validators=[Optional(), Length(max=300)])
    page_id = HiddenField()
    submit = SubmitField(_l("アップロード"))
