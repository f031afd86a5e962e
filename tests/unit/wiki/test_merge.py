"""Tests for wiki.merge: three-way merge of concurrent saves."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.diff import tokenize
from wiki.merge import (
    DEFAULT_OURS_LABEL,
    DEFAULT_THEIRS_LABEL,
    Conflict,
    MergeResult,
    has_conflict_markers,
    merge,
)

START = f"<<<<<<< {DEFAULT_OURS_LABEL}"
END = f">>>>>>> {DEFAULT_THEIRS_LABEL}"

PARAGRAPH = (
    "横浜市と川崎市は2019年に防災協定を結んだ。"
    "両市は年に一回、合同訓練を実施する。"
    "避難所の情報はデータ連携基盤で共有する。"
)
BASE = (
    "# 防災連携と子育て支援の提案\n"
    "\n"
    "## 防災連携\n"
    "\n"
    f"{PARAGRAPH}\n"
    "\n"
    "## 子育て支援\n"
    "\n"
    "災害時には保育所の受け入れ状況も共有する。\n"
    "一時預かりの手続きを簡素化する。\n"
    "相談窓口は両市で共通化する。\n"
)


def lines_of(text: str) -> list[str]:
    return text.split("\n")


# ------------------------------------------------------------------ clean merges


def test_disjoint_line_edits_merge() -> None:
    ours = BASE.replace("# 防災連携と子育て支援の提案", "# 防災連携と子育て支援の政策提案")
    theirs = BASE.replace("相談窓口は両市で共通化する。", "相談窓口は両市で共通化し、夜間も開く。")
    result = merge(BASE, ours, theirs)
    assert result.clean and result.conflicts == []
    assert result.text == ours.replace(
        "相談窓口は両市で共通化する。", "相談窓口は両市で共通化し、夜間も開く。"
    )


def test_insertions_in_different_places_merge() -> None:
    ours = BASE.replace("## 子育て支援\n", "## 子育て支援\n\n※ 川崎市の案を基にする。\n")
    theirs = BASE + "\n## 今後の予定\n\n来年度に試行する。\n"
    result = merge(BASE, ours, theirs)
    assert result.clean
    assert "※ 川崎市の案を基にする。" in result.text
    assert result.text.endswith("来年度に試行する。\n")


def test_same_edit_on_both_sides_merges_cleanly() -> None:
    edited = BASE.replace("一時預かり", "一時保育")
    result = merge(BASE, edited, edited)
    assert result == MergeResult(edited, [])
    assert result.clean


def test_same_deletion_on_both_sides_merges_cleanly() -> None:
    edited = BASE.replace("一時預かりの手続きを簡素化する。\n", "")
    assert merge(BASE, edited, edited).text == edited


def test_trivial_merges() -> None:
    ours = BASE.replace("防災協定", "防災連携協定")
    assert merge(BASE, ours, BASE).text == ours
    assert merge(BASE, BASE, ours).text == ours
    assert merge(BASE, BASE, BASE).text == BASE
    assert merge("", "", "") == MergeResult("", [])


def test_different_sentences_of_one_paragraph_merge() -> None:
    ours = BASE.replace("年に一回", "年に二回")
    theirs = BASE.replace("データ連携基盤で共有する", "共通のデータ連携基盤で即時に共有する")
    result = merge(BASE, ours, theirs)
    assert result.clean
    assert (
        "横浜市と川崎市は2019年に防災協定を結んだ。"
        "両市は年に二回、合同訓練を実施する。"
        "避難所の情報は共通のデータ連携基盤で即時に共有する。"
    ) in lines_of(result.text)


def test_sentence_added_and_sentence_edited_in_one_paragraph_merge() -> None:
    ours = BASE.replace(PARAGRAPH, "【要約】三つの取り組みを行う。" + PARAGRAPH)
    theirs = BASE.replace("2019年", "2020年")
    result = merge(BASE, ours, theirs)
    assert result.clean
    assert "【要約】三つの取り組みを行う。横浜市と川崎市は2020年に防災協定" in result.text


# ------------------------------------------------------------------ conflicts


def test_overlapping_edits_conflict_and_keep_both() -> None:
    ours = BASE.replace("一時預かりの手続きを簡素化する。", "一時預かりの手続きをオンライン化する。")
    theirs = BASE.replace("一時預かりの手続きを簡素化する。", "一時預かりは無料にする。")
    result = merge(BASE, ours, theirs)
    assert not result.clean
    (conflict,) = result.conflicts
    assert conflict == Conflict(
        base="一時預かりの手続きを簡素化する。\n",
        ours="一時預かりの手続きをオンライン化する。\n",
        theirs="一時預かりは無料にする。\n",
        start_line=10,
        end_line=14,
    )
    assert lines_of(result.text)[9:14] == [
        START,
        "一時預かりの手続きをオンライン化する。",
        "=======",
        "一時預かりは無料にする。",
        END,
    ]
    assert result.text.startswith(BASE.split("一時預かり")[0])
    assert result.text.endswith("相談窓口は両市で共通化する。\n")
    assert has_conflict_markers(result.text)


def test_same_sentence_edited_differently_conflicts_on_whole_paragraph() -> None:
    ours = BASE.replace("年に一回", "年に二回")
    theirs = BASE.replace("年に一回", "毎月")
    result = merge(BASE, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.base == PARAGRAPH + "\n"
    assert conflict.ours == PARAGRAPH.replace("年に一回", "年に二回") + "\n"
    assert conflict.theirs == PARAGRAPH.replace("年に一回", "毎月") + "\n"
    text_lines = lines_of(result.text)
    assert text_lines[conflict.start_line - 1] == START
    assert text_lines[conflict.end_line - 1] == END
    assert text_lines[conflict.start_line : conflict.end_line - 1] == [
        PARAGRAPH.replace("年に一回", "年に二回"),
        "=======",
        PARAGRAPH.replace("年に一回", "毎月"),
    ]


def test_multi_line_overlap_conflicts() -> None:
    ours = BASE.replace("一時預かりの手続きを簡素化する。\n相談窓口", "一時預かりを拡充する。\n窓口")
    theirs = BASE.replace("一時預かりの手続きを簡素化する。\n相談窓口", "一時預かりを廃止する。\n総合窓口")
    result = merge(BASE, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.ours == "一時預かりを拡充する。\n窓口は両市で共通化する。\n"
    assert conflict.theirs == "一時預かりを廃止する。\n総合窓口は両市で共通化する。\n"
    assert conflict.ours + "=======\n" + conflict.theirs in result.text


def test_deletion_versus_edit_conflicts() -> None:
    ours = BASE.replace(f"{PARAGRAPH}\n", "")
    theirs = BASE.replace("年に一回", "年に二回")
    result = merge(BASE, ours, theirs)
    (conflict,) = result.conflicts
    edited = PARAGRAPH.replace("一回", "二回")
    assert (conflict.ours, conflict.theirs) == ("", edited + "\n")
    text_lines = lines_of(result.text)
    start = conflict.start_line - 1
    assert text_lines[start : conflict.end_line] == [START, "=======", edited, END]


def test_edit_versus_deletion_conflicts() -> None:
    ours = BASE.replace("年に一回", "年に二回")
    theirs = BASE.replace(f"{PARAGRAPH}\n", "")
    (conflict,) = merge(BASE, ours, theirs).conflicts
    assert (conflict.ours, conflict.theirs) == (PARAGRAPH.replace("一回", "二回") + "\n", "")


def test_concurrent_new_pages_conflict() -> None:
    result = merge("", "防災の提案\n", "子育ての提案\n")
    assert result.text == f"{START}\n防災の提案\n=======\n子育ての提案\n{END}\n"
    assert result.conflicts == [Conflict("", "防災の提案\n", "子育ての提案\n", 1, 5)]


def test_several_conflicts_have_correct_line_ranges() -> None:
    ours = BASE.replace("# 防災連携と", "# 防災と").replace("相談窓口は", "窓口は")
    theirs = BASE.replace("# 防災連携と", "# 連携と").replace("相談窓口は", "総合窓口は")
    result = merge(BASE, ours, theirs)
    assert len(result.conflicts) == 2
    text_lines = lines_of(result.text)
    for conflict in result.conflicts:
        block = text_lines[conflict.start_line - 1 : conflict.end_line]
        assert block == [START, conflict.ours[:-1], "=======", conflict.theirs[:-1], END]


def test_custom_labels_are_single_line() -> None:
    result = merge("防災\n", "防災訓練\n", "防災協定\n", ours_label="Your edit", theirs_label="Other\nedit")
    assert result.text == "<<<<<<< Your edit\n防災訓練\n=======\n防災協定\n>>>>>>> Other edit\n"
    assert has_conflict_markers(result.text)


def test_empty_labels_give_bare_markers() -> None:
    result = merge("a\n", "b\n", "c\n", ours_label="", theirs_label="  ")
    assert result.text == "<<<<<<<\nb\n=======\nc\n>>>>>>>\n"


def test_clean_is_derived_from_conflicts() -> None:
    assert MergeResult("x", []).clean
    assert not MergeResult("x", [Conflict("", "a\n", "b\n", 1, 5)]).clean


# ------------------------------------------------------------------ newlines


def test_crlf_is_normalised_and_does_not_conflict() -> None:
    ours = BASE.replace("年に一回", "年に二回").replace("\n", "\r\n")
    theirs = BASE.replace("相談窓口", "総合相談窓口")
    result = merge(BASE, ours, theirs)
    assert result.clean
    assert "\r" not in result.text
    assert "年に二回" in result.text and "総合相談窓口" in result.text
    assert merge("a\rb\r", "a\rb\r", "a\rc\r").text == "a\nc\n"


def test_trailing_newline_kept_when_all_have_it() -> None:
    assert merge("防災\n", "防災\n訓練\n", "子育て\n防災\n").text == "子育て\n防災\n訓練\n"


def test_trailing_newline_absent_when_none_have_it() -> None:
    assert merge("防災", "防災\n訓練", "子育て\n防災").text == "子育て\n防災\n訓練"


def test_trailing_newline_change_on_one_side_wins() -> None:
    base = "防災\n子育て\n"
    assert merge(base, "防災訓練\n子育て", "防災\n子育て\n").text == "防災訓練\n子育て"
    assert merge(base, "防災\n子育て\n", "防災\n子育て支援").text == "防災\n子育て支援"
    assert merge("防災", "防災訓練", "防災\n").text == "防災訓練\n"


def test_final_newline_alone_is_not_a_conflict() -> None:
    result = merge("防災\n子育て", "防災\n子育て\n", "防災訓練\n子育て")
    assert result.clean
    assert result.text == "防災訓練\n子育て\n"


def test_conflict_at_end_without_final_newline() -> None:
    result = merge("防災", "防災訓練", "防災協定")
    assert result.text == f"{START}\n防災訓練\n=======\n防災協定\n{END}"
    assert has_conflict_markers(result.text)


def test_everything_deleted_gives_empty_text() -> None:
    assert merge("防災\n", "", "防災\n").text == ""
    assert merge("防災", "防災\n", "").text == ""


# ------------------------------------------------------------------ markers


def test_has_conflict_markers() -> None:
    assert has_conflict_markers(f"前\n{START}\nA\n=======\nB\n{END}\n後")
    assert has_conflict_markers("<<<<<<< あなたの編集\r\nA\r\n=======\r\nB\r\n>>>>>>> 他の人の編集")
    assert has_conflict_markers("<<<<<<<\nA\n=======\nB\n>>>>>>>")
    # half-resolved: the other version and the middle marker were deleted
    assert has_conflict_markers(f"{START}\n私の案\n{END}\n")
    assert has_conflict_markers(f"私の案\n{END}")


def test_markdown_is_not_mistaken_for_markers() -> None:
    assert not has_conflict_markers(BASE)
    assert not has_conflict_markers("防災連携\n=======\n\n本文\n")  # setext heading
    assert not has_conflict_markers("> 引用\n>> 二重引用\n")
    assert not has_conflict_markers("<<<<<<<<<< 装飾 >>>>>>>>>>\n")
    assert not has_conflict_markers("文中の <<<<<<< は対象外")
    assert not has_conflict_markers("")


# ------------------------------------------------------------------ properties

POOL = [
    PARAGRAPH,
    "横浜市と川崎市は防災協定を結んだ。",
    "両市は年に一回、合同訓練を実施する。",
    "災害時には保育所の受け入れ状況も共有する。",
    "一時預かりの手続きを簡素化する。子育て支援の窓口は両市で共通化する。相談は無料とする。",
    "## 子育て支援",
    "",
    "- 避難所の運営",
]
KEEP, DELETE, REPLACE, APPEND, PREPEND, EDIT_WORD = range(6)
# Mostly untouched lines, so that clean merges, token-level merges inside a
# paragraph and conflicts all occur often.
ACTIONS = [KEEP] * 8 + [DELETE, REPLACE, APPEND, PREPEND, EDIT_WORD, EDIT_WORD]


class Edits:
    """An edited copy of the base plus what the editor typed."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.counter = 0
        self.lines: list[str] = []
        self.new_lines: list[str] = []
        self.fragments: list[str] = []

    def fresh(self, kind: str) -> str:
        self.counter += 1
        return f"【追記{self.side}{self.counter}：{kind}】"

    def apply(self, draw: st.DrawFn, line: str) -> None:
        action = draw(st.sampled_from(ACTIONS))
        if action == KEEP:
            self.lines.append(line)
        elif action == REPLACE:
            self.add_line(self.fresh("新しい段落"))
        elif action in (APPEND, PREPEND):
            fragment = self.fresh("新しい文")
            self.fragments.append(fragment)
            self.lines.append(line + fragment if action == APPEND else fragment + line)
        elif action == EDIT_WORD:
            self.lines.append(self.edit_word(draw, line))
        if draw(st.integers(0, 5)) == 0:
            self.add_line(self.fresh("挿入"))

    def add_line(self, line: str) -> None:
        self.lines.append(line)
        self.new_lines.append(line)

    def edit_word(self, draw: st.DrawFn, line: str) -> str:
        tokens = tokenize(line)
        if not tokens:
            return line
        index = draw(st.integers(0, len(tokens) - 1))
        self.counter += 1
        word = f"《{self.side}{self.counter}》"
        self.fragments.append(word)
        return "".join(tokens[:index] + [word] + tokens[index + 1 :])


@st.composite
def concurrent_edits(draw: st.DrawFn) -> tuple[str, Edits, Edits]:
    base_lines = draw(st.lists(st.sampled_from(POOL), min_size=0, max_size=8))
    ours, theirs = Edits("O"), Edits("T")
    for edits in (ours, theirs):
        if draw(st.booleans()):
            edits.add_line(edits.fresh("冒頭"))
        for line in base_lines:
            edits.apply(draw, line)
    return "\n".join(base_lines), ours, theirs


def assert_nothing_lost(base: str, side: str, result: MergeResult) -> None:
    """Every character a side added is still in the result (as a multiset)."""
    merged = Counter(result.text)
    added = Counter(side) - Counter(base)
    for char, count in added.items():
        if char not in "\r\n":
            assert merged[char] >= count, (char, count)


def assert_conflicts_consistent(result: MergeResult) -> None:
    text_lines = lines_of(result.text)
    assert result.clean == (not result.conflicts) == (not has_conflict_markers(result.text))
    for conflict in result.conflicts:
        block = text_lines[conflict.start_line - 1 : conflict.end_line]
        assert block[0] == START and block[-1] == END
        inner = "".join(f"{line}\n" for line in block[1:-1])
        assert inner == f"{conflict.ours}=======\n{conflict.theirs}"


@settings(max_examples=300, deadline=None)
@given(concurrent_edits(), st.booleans())
def test_nothing_typed_is_thrown_away(
    edits: tuple[str, Edits, Edits], final_newline: bool
) -> None:
    base, ours, theirs = edits
    suffix = "\n" if final_newline else ""
    ours_text, theirs_text = "\n".join(ours.lines) + suffix, "\n".join(theirs.lines) + suffix
    result = merge(base, ours_text, theirs_text)
    result_lines = lines_of(result.text)
    for new_line in ours.new_lines + theirs.new_lines:
        assert new_line in result_lines
    for fragment in ours.fragments + theirs.fragments:
        assert fragment in result.text
    assert_nothing_lost(base, ours_text, result)
    assert_nothing_lost(base, theirs_text, result)
    assert_conflicts_consistent(result)


line_text = st.text(
    alphabet=st.sampled_from(list("防災子育て支援カタカナー、。「」ab1 　\r")), max_size=12
)


@st.composite
def random_versions(draw: st.DrawFn) -> tuple[str, str, str]:
    base = draw(st.lists(line_text, max_size=8))

    def edit() -> list[str]:
        lines = list(base)
        for _ in range(draw(st.integers(0, 4))):
            index = draw(st.integers(0, len(lines)))
            if draw(st.booleans()) and index < len(lines):
                del lines[index]
            else:
                lines.insert(index, draw(line_text))
        return lines

    endings = draw(st.lists(st.sampled_from(["", "\n"]), min_size=3, max_size=3))
    return (
        "\n".join(base) + endings[0],
        "\n".join(edit()) + endings[1],
        "\n".join(edit()) + endings[2],
    )


@settings(max_examples=300, deadline=None)
@given(random_versions())
def test_random_merges_lose_nothing(versions: tuple[str, str, str]) -> None:
    base, ours, theirs = versions
    result = merge(base, ours, theirs)
    assert_nothing_lost(base, ours, result)
    assert_nothing_lost(base, theirs, result)
    assert_conflicts_consistent(result)
    assert "\r" not in result.text


@given(random_versions())
def test_one_sided_changes_are_taken_verbatim(versions: tuple[str, str, str]) -> None:
    base, ours, _ = versions
    normalised = ours.replace("\r\n", "\n").replace("\r", "\n")
    assert merge(base, ours, base).text == normalised
    assert merge(base, base, ours).text == normalised
    assert merge(base, ours, ours).text == normalised


SENTENCES = [
    "横浜市と川崎市は2019年に防災協定を結んだ。",
    "両市は年に一回、合同訓練を実施する。",
    "避難所の情報はデータ連携基盤で共有する。",
    "災害時には保育所の受け入れ状況も共有する。",
    "一時預かりの手続きを簡素化する。",
    "子育て支援の相談窓口は両市で共通化する。",
    "費用は人口比で按分する。",
]


def replace_word(data: st.DataObject, sentence: str, word: str) -> str:
    tokens = tokenize(sentence)
    candidates = [i for i, token in enumerate(tokens) if token not in "、。"]
    index = data.draw(st.sampled_from(candidates))
    return "".join(tokens[:index] + [word] + tokens[index + 1 :])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_words_in_different_sentences_of_a_paragraph_merge(data: st.DataObject) -> None:
    sentences = data.draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=6, unique=True))
    i, j = data.draw(
        st.lists(st.integers(0, len(sentences) - 1), min_size=2, max_size=2, unique=True)
    )
    ours, theirs = list(sentences), list(sentences)
    ours[i] = replace_word(data, sentences[i], "《あなたの語》")
    theirs[j] = replace_word(data, sentences[j], "《他の人の語》")
    expected = list(ours)
    expected[j] = theirs[j]
    heading = "## 防災連携\n\n"
    result = merge(
        heading + "".join(sentences) + "\n",
        heading + "".join(ours) + "\n",
        heading + "".join(theirs) + "\n",
    )
    assert result == MergeResult(heading + "".join(expected) + "\n", [])
