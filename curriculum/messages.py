"""What the user reads when a rule refuses an action, by message code (Japanese msgids)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.errors import DomainError

MESSAGES = {
    # cohorts and enrolment
    "cohort_exists": _l("%(fy)sの期は既にあります。"),
    "date_outside_fy": _l("%(fy)s（4月1日〜翌年3月31日）の中の日付にしてください。"),
    "ends_before_start": _l("終了は開始より後にしてください。"),
    "date_in_past": _l("過去の日時は指定できません。"),
    "not_facilitator": _l("%(name)s さんはファシリテーターではありません。"),
    "places_negative": _l("0以上の数を入力してください。"),
    "cohort_closed": _l("この期は終了しているため変更できません。"),
    "places_below_enrolled": _l("既に%(taken)s名が参加しているため、それより少なくはできません。"),
    "cohort_not_planned": _l("この期は既に始まっています。"),
    "no_nominees": _l("推薦する方を1行に1人ずつ入力してください。"),
    "duplicate_nominee": _l("%(email)s が2回入力されています。"),
    "no_places": _l("%(city)sにはこの期の枠がありません。事務局にお問い合わせください。"),
    "other_city": _l("%(name)s さんのアカウントは%(city)sの所属です。所属市の担当者が推薦してください。"),
    "already_enrolled": _l("%(name)s さんは既にこの期に参加しています。"),
    "too_many_nominees": _l(
        "%(city)sの枠は%(places)s名で、残りは%(left)s名です（%(count)s名が入力されています）。"
    ),
    "not_enrolled": _l("この方は参加中ではありません。"),
    "interests_too_long": _l("関心分野が長すぎます。"),
    "bad_line": _l("%(line)s行目：「メールアドレス, 氏名, ふりがな」の形で入力してください。"),
    "bad_email": _l("%(line)s行目：メールアドレスの形式が正しくありません。"),
    "bad_name": _l("%(line)s行目：氏名は姓と名の間に空白を入れてください（例：佐藤 花子）。"),
    # modules
    "already_done": _l("既に完了にしています。"),
    "minutes_negative": _l("0以上の数を入力してください。"),
    "override_stale": _l(
        "この間に別の方がこの単元を保存しました。入力した内容は下に残しています。最新の内容を確認してから保存し直してください。"
    ),
    "edit_stale": _l(
        "あなたが編集している間に、ほかの人がこの内容を保存しました。入力した内容は下に残しています。いま保存されている内容を確認し、必要なところを取り込んでから保存し直してください。"
    ),
    # sessions and files
    "number_positive": _l("1以上の数を入力してください。"),
    "session_number_taken": _l("第%(number)s回は既に登録されています。"),
    "session_too_long": _l("1回の開催は24時間以内にしてください。"),
    "venue_or_link": _l("会場かオンライン参加のURLのどちらかを入力してください。"),
    "bad_url": _l("http:// または https:// で始まるURLを入力してください。"),
    "file_type": _l("「%(name)s」は受け付けられない種類のファイルです（使える種類：%(types)s）。"),
    "file_size": _l("「%(name)s」は大きすぎます（上限 %(mb)s MB）。"),
    "file_empty": _l("「%(name)s」は空のファイルです。"),
    "material_exists": _l("「%(name)s」は既に登録されています。"),
    "attendance_too_early": _l("出欠は開催日の前日以降に記録できます。"),
    "not_in_cohort": _l("この期の参加者ではありません。"),
    "attendance_conflict": _l("同時に別の方が出欠を保存しました。最新の状態を確認してください。"),
    "attendance_stale": _l("この画面を開いた後に、別の方が同じ人の出欠を記録しました。印のある行を確認してから、もう一度保存してください（入力した内容は残っています）。"),
    # assignments
    "required": _l("入力してください。"),
    "assignment_title_taken": _l("同じ題名の課題が既にあります。"),
    "types_required": _l("受け付けるファイルの種類を1つ以上選んでください。"),
    "type_not_allowed": _l("この種類は選べません：%(types)s"),
    "max_mb_range": _l("1〜%(max)s MB の範囲で指定してください。"),
    "due_before_publish": _l("締切は公開日時より後にしてください。"),
    "late_before_due": _l("遅れての提出の受付期限は、締切より後にしてください。"),
    "kind_locked": _l("既に提出があるため、個人課題とチーム課題を切り替えられません。"),
    "not_published": _l("この課題はまだ公開されていません。"),
    "submission_closed": _l("提出の受付は終了しました。"),
    "no_team": _l(
        "チームに所属していないため、チーム課題を提出できません。ファシリテーターに連絡してください。"
    ),
    "empty_submission": _l("本文を書くか、ファイルを添付してください。"),
    "too_many_files": _l("一度に添付できるファイルは%(max)s個までです。"),
    "submission_stale": _l(
        "この提出は既に受け付けています（第%(number)s版）。二重に送信されたか、チームの方が先に提出しました。内容を確認してください。"
    ),
    "nothing_submitted": _l("まだ提出がありません。"),
    "feedback_stale": _l(
        "この間に新しい版（第%(number)s版）が提出されました。入力したコメントは残しています。新しい版を確認してから送信してください。"
    ),
    "feedback_since": _l(
        "この間に%(who)sさんがフィードバックを送りました。入力したコメントは残しています。上の記録を確認してから、もう一度送信してください。"
    ),
    "feedback_empty": _l("コメントを書くか、状態を変えてください。"),
    "feedback_duplicate": _l("このフィードバックは既に送信されています。"),
    # teams
    "teams_published": _l("チームは公開済みです。ここからは手作業で調整してください。"),
    "suggestion_stale": _l("提案の後に参加者が変わりました。もう一度提案を作ってください。"),
    "teams_have_work": _l(
        "提出のあるチームがあるため、チーム分けを作り直せません。手作業で調整してください。"
    ),
    "team_name_taken": _l("同じ名前のチームが既にあります。"),
    "mentor_not_alumnus": _l("メンターには修了生を選んでください。"),
    "move_conflict": _l("同時に別の操作がありました。もう一度お試しください。"),
    "no_teams": _l("公開するチームがありません。"),
}

# Why a team suggestion falls short of a rule (curriculum.formation.Note codes).
NOTES = {
    "small_teams": _l(
        "参加者数に対してチーム数が多いため、%(size)s人のチームがあります（3人未満のチームには市の条件を適用しません）。"
    ),
    "few_cities": _l("参加者の所属が%(cities)s市だけのため、「3市以上」の条件は満たせません。"),
    "city_too_many": _l(
        "%(city)sの参加者が%(count)s名と多く、どのチームでも過半数にならないように分けられるのは%(max)s名までです。"
    ),
    "no_arrangement": _l(
        "この人数・市の構成では、すべてのチームで条件を満たす分け方がありません。チーム数を変えるか、手作業で調整してください。"
    ),
    "team_few_cities": _l("%(team)s：%(cities)s市だけの構成です（3市以上が目安）。"),
    "team_majority": _l("%(team)s：%(city)sが%(size)s人中%(count)s人で過半数です。"),
}


def message(code: str, **params: Any) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)


def for_error(error: DomainError) -> str:
    return message(error.message, **getattr(error, "params", {}))


def note(code: str, **params: Any) -> str:
    template = NOTES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)
