"""Tests for wiki.diff: Japanese-aware tokenizer, line/inline diffs, HTML."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from wiki.diff import (
    DiffLabels,
    DiffLine,
    Hunk,
    diff_stats,
    inline_diff,
    line_diff,
    normalize_newlines,
    render_diff_html,
    split_lines,
    tokenize,
)

KYOTEI = "横浜市と川崎市は2019年に協定を結んだ。"
BOSAI = (
    "防災連携の基本方針\n"
    "\n"
    "横浜市と川崎市は2019年に防災協定を結んだ。\n"
    "両市は年に一回、合同訓練を実施する。\n"
    "避難所の情報はデータ連携基盤で共有する。\n"
    "\n"
    "子育て支援との連携\n"
    "\n"
    "災害時には保育所の受け入れ状況も共有する。\n"
    "一時預かりの手続きを簡素化する。\n"
    "相談窓口は両市で共通化する。\n"
    "以上。\n"
)

# Text mixing every script class, newline style and some awkward characters.
japanese_text = st.text(
    alphabet=st.sampled_from(
        list("横浜市川崎協定防災子育て支援々〆ヶひらがなカタカナーｶﾀｶﾅ")
        + list("、。「」（）・！？ 　\t\r\nabcXYZ0129０１é\u0301<>&\"'")
    ),
    max_size=60,
)


# ------------------------------------------------------------------ tokenize


def test_tokenize_sentence_by_script() -> None:
    assert tokenize("「" + KYOTEI + "」") == [
        "「", "横浜市", "と", "川崎市", "は", "2019", "年", "に",
        "協定", "を", "結", "んだ", "。", "」",
    ]  # fmt: skip


def test_tokenize_katakana_and_choon() -> None:
    assert tokenize("データ連携とパートナーシップ") == ["データ", "連携", "と", "パートナーシップ"]
    assert tokenize("すごーい") == ["すごーい"]  # ー extends a hiragana run
    assert tokenize("ーの") == ["ー", "の"]  # leading ー is katakana
    assert tokenize("ｶﾀｶﾅ") == ["ｶﾀｶﾅ"]


def test_tokenize_iteration_marks_are_kanji() -> None:
    assert tokenize("人々が3ヶ月") == ["人々", "が", "3", "ヶ月"]
    assert tokenize("〆切") == ["〆切"]


def test_tokenize_punctuation_each_alone() -> None:
    assert tokenize("（案）、、。") == ["（", "案", "）", "、", "、", "。"]
    assert tokenize("COVID-19") == ["COVID", "-", "19"]


def test_tokenize_whitespace_and_newlines() -> None:
    assert tokenize("子育て  支援\n\n相談") == ["子育", "て", "  ", "支援", "\n", "\n", "相談"]
    assert tokenize("a\r\nb\rc") == ["a", "\r\n", "b", "\r", "c"]
    assert tokenize("防災　訓練") == ["防災", "\u3000", "訓練"]


def test_tokenize_latin_words_and_fullwidth() -> None:
    assert tokenize("Renkei v2 ＡＢＣ１２３") == ["Renkei", " ", "v2", " ", "ＡＢＣ１２３"]


def test_tokenize_combining_mark_stays_attached() -> None:
    assert tokenize("cafe\u0301 か\u3099") == ["cafe\u0301", " ", "か\u3099"]


def test_tokenize_empty() -> None:
    assert tokenize("") == []


@given(st.text())
def test_tokenize_round_trip_any_text(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


@given(japanese_text)
def test_tokenize_round_trip_japanese(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(token in ("\n", "\r", "\r\n") for token in tokens if "\n" in token or "\r" in token)


# ------------------------------------------------------------------ lines


def test_split_lines_and_normalisation() -> None:
    assert split_lines("") == []
    assert split_lines("\n") == [""]
    assert split_lines("防災\r\n子育て\r") == ["防災", "子育て"]
    assert split_lines("防災\n\n") == ["防災", ""]
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


# ------------------------------------------------------------------ inline_diff


def test_inline_diff_shows_only_changed_word() -> None:
    ops = inline_diff(KYOTEI, KYOTEI.replace("川崎市", "相模原市"))
    assert ops == [
        ("equal", "横浜市と"),
        ("delete", "川崎市"),
        ("insert", "相模原市"),
        ("equal", "は2019年に協定を結んだ。"),
    ]


def test_inline_diff_pure_insertion_and_deletion() -> None:
    assert inline_diff("子育て支援を行う", "子育て支援を必ず行う") == [
        ("equal", "子育て支援を"),
        ("insert", "必ず"),
        ("equal", "行う"),
    ]
    assert inline_diff("年に一回、合同訓練", "合同訓練") == [
        ("delete", "年に一回、"),
        ("equal", "合同訓練"),
    ]


def test_inline_diff_merges_adjacent_ops() -> None:
    ops = inline_diff(KYOTEI, "横浜市と相模原市は2020年に協定を結んだ。")
    kinds = [kind for kind, _ in ops]
    assert all(a != b for a, b in zip(kinds, kinds[1:]))
    assert "".join(t for k, t in ops if k != "insert") == KYOTEI
    assert "".join(t for k, t in ops if k != "delete") == "横浜市と相模原市は2020年に協定を結んだ。"


def test_inline_diff_folds_tiny_equalities_between_changes() -> None:
    ops = inline_diff("防災の協定", "子育ての支援")
    assert ("equal", "の") not in ops


def test_inline_diff_too_different_is_whole_line() -> None:
    a = "横浜市と川崎市は防災協定を結んだ。"
    b = "子育て支援のアンケートを実施する"
    assert inline_diff(a, b) == [("delete", a), ("insert", b)]


def test_inline_diff_identical_and_empty() -> None:
    assert inline_diff(KYOTEI, KYOTEI) == [("equal", KYOTEI)]
    assert inline_diff("", "") == []
    assert inline_diff("", "追加") == [("insert", "追加")]
    assert inline_diff("削除", "") == [("delete", "削除")]


@given(japanese_text, japanese_text)
def test_inline_diff_reconstructs_both_sides(a: str, b: str) -> None:
    ops = inline_diff(a, b)
    assert "".join(t for k, t in ops if k != "insert") == a
    assert "".join(t for k, t in ops if k != "delete") == b
    assert all(text for _, text in ops)


# ------------------------------------------------------------------ line_diff


def test_line_diff_identical_texts() -> None:
    assert line_diff(BOSAI, BOSAI) == []
    assert line_diff("", "") == []


def test_line_diff_crlf_and_final_newline_are_not_changes() -> None:
    assert line_diff(BOSAI, BOSAI.replace("\n", "\r\n")) == []
    assert line_diff(BOSAI, BOSAI.rstrip("\n")) == []


def test_line_diff_changed_line_numbers_and_segments() -> None:
    new = BOSAI.replace("年に一回", "年に二回")
    (hunk,) = line_diff(BOSAI, new, context=1)
    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (3, 3, 3, 3)
    kinds = [(line.kind, line.old_lineno, line.new_lineno) for line in hunk.lines]
    assert kinds == [
        ("context", 3, 3),
        ("removed", 4, None),
        ("added", None, 4),
        ("context", 5, 5),
    ]
    removed, added = hunk.lines[1], hunk.lines[2]
    # a kanji compound is one token: 一回 -> 二回 is shown as a whole word
    assert removed.segments == (("equal", "両市は年に"), ("delete", "一回"), ("equal", "、合同訓練を実施する。"))
    assert added.segments == (("equal", "両市は年に"), ("insert", "二回"), ("equal", "、合同訓練を実施する。"))
    assert "".join(t for _, t in removed.segments) == removed.text
    assert "".join(t for _, t in added.segments) == added.text


def test_line_diff_context_grouping() -> None:
    new = BOSAI.replace("防災連携の基本方針", "防災連携の方針").replace("以上。", "以上です。")
    assert len(line_diff(BOSAI, new, context=3)) == 2
    assert len(line_diff(BOSAI, new, context=6)) == 1


def test_line_diff_insertion_line_numbers() -> None:
    new = BOSAI.replace("以上。\n", "夜間の連絡体制を整える。\n以上。\n")
    (hunk,) = line_diff(BOSAI, new, context=0)
    assert hunk.lines == (DiffLine("added", "夜間の連絡体制を整える。", None, 12),)
    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (11, 0, 12, 1)


def test_line_diff_from_empty_text() -> None:
    (hunk,) = line_diff("", "防災\n子育て\n")
    assert isinstance(hunk, Hunk)
    assert [line.kind for line in hunk.lines] == ["added", "added"]
    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (0, 0, 1, 2)


def test_line_diff_pairs_edited_line_not_inserted_one() -> None:
    old = "横浜市と川崎市は防災協定を結んだ。"
    new = "【新規】子育て支援の窓口を増やす。\n横浜市と川崎市は新たに防災協定を結んだ。"
    (hunk,) = line_diff(old, new)
    inserted, edited = [line for line in hunk.lines if line.kind == "added"]
    assert inserted.segments == ()
    assert edited.segments == (
        ("equal", "横浜市と川崎市は"),
        ("insert", "新たに"),
        ("equal", "防災協定を結んだ。"),
    )


# ------------------------------------------------------------------ HTML


def test_render_escapes_script_on_both_sides() -> None:
    old = "防災<script>alert(1)</script>協定\n"
    new = "防災<script>alert(2)</script>連携協定\n"
    html = render_diff_html(old, new)
    assert isinstance(html, Markup)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<del>1</del>" in html and "<ins>2</ins>" in html


def test_render_escapes_whole_line_changes_and_attributes() -> None:
    html = render_diff_html('<img src=x onerror="x">\n', "&amp; 子育て\n")
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;x&#34;&gt;" in html
    assert "&amp;amp; 子育て" in html


def test_render_has_no_styles_or_scripts() -> None:
    html = str(render_diff_html(BOSAI, BOSAI.replace("一回", "二回")))
    assert "style=" not in html
    assert re.search(r"\son\w+=", html) is None
    assert "<script" not in html


def test_render_marks_lines_and_inline_changes() -> None:
    html = str(render_diff_html(BOSAI, BOSAI.replace("川崎市", "相模原市")))
    assert html.startswith('<ol class="diff-hunks">')
    assert 'class="diff-line diff-line-removed"' in html
    assert 'class="diff-line diff-line-added"' in html
    assert 'class="diff-line diff-line-context"' in html
    assert "<del>川崎市</del>" in html and "<ins>相模原市</ins>" in html
    assert '<span class="diff-lineno diff-lineno-old">3</span>' in html


def test_render_identical_is_empty_list() -> None:
    html = render_diff_html(BOSAI, BOSAI.replace("\n", "\r\n"))
    assert html == Markup('<ol class="diff-hunks diff-hunks-empty"></ol>')
    assert render_diff_html("", "") == html


def test_render_empty_to_text() -> None:
    html = str(render_diff_html("", "子育て支援\n"))
    assert html.count("diff-line-added") == 1
    assert "diff-line-removed" not in html


def test_render_custom_labels_are_escaped() -> None:
    labels = DiffLabels(removed="<b>removed</b>", added="added", old="old", new="new")
    html = str(render_diff_html("a\n", "b\n", labels=labels))
    assert "&lt;b&gt;removed&lt;/b&gt;: " in html
    assert "old 1" in html and "new 1" in html


@given(japanese_text, japanese_text)
def test_render_never_leaks_markup(a: str, b: str) -> None:
    html = str(render_diff_html(a, b))
    assert "<>" not in html
    text_only = re.sub(r"</?(ol|li|p|span|del|ins)( [^<>]*)?>", "", html)
    assert "<" not in text_only and ">" not in text_only


# ------------------------------------------------------------------ stats


def test_diff_stats() -> None:
    assert diff_stats(BOSAI, BOSAI) == (0, 0)
    assert diff_stats("", "") == (0, 0)
    assert diff_stats("横浜市と川崎市", "横浜市と相模原市") == (4, 3)
    assert diff_stats("", "防災") == (2, 0)
    assert diff_stats("防災\n", "") == (0, 2)
    assert diff_stats("防災\n", "防災\n子育て\n") == (4, 0)
    assert diff_stats(BOSAI, BOSAI.replace("\n", "\r\n")) == (0, 0)


@given(japanese_text, japanese_text)
def test_diff_stats_bounds(a: str, b: str) -> None:
    plus, minus = diff_stats(a, b)
    a_size = len(normalize_newlines(a))
    b_size = len(normalize_newlines(b))
    assert 0 <= minus <= a_size + 1
    assert 0 <= plus <= b_size + 1
    # the net change is exactly the size change ("\n"-joined lines)
    assert plus - minus == len("\n".join(split_lines(b))) - len("\n".join(split_lines(a)))
