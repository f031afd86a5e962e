"""Titles and slugs, [[links]], @mentions and plain text — with Japanese text."""
from __future__ import annotations

import pytest

from core import text as core_text
from core.errors import DomainError
from wiki.links import (CaseTitles, LinkTarget, MentionExtension, WikiLinkExtension, case_link_extension,
                        case_slugs, check_title, clean_title, link_targets, mentioned, plain_links,
                        plain_text, slugify)


@pytest.mark.parametrize("title,slug", [
    ("第2回 議事録", "第2回_議事録"),
    ("第２回　議事録", "第2回_議事録"),  # full width folds to the same address
    ("  防災   連携  ", "防災_連携"),
    ("提案書/骨子?", "提案書骨子"),
    ("-- 下書き", "下書き"),
    ("..隠し", "隠し"),
    ("ＤＸ推進", "DX推進"),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title,code", [("", "title_required"), ("   ", "title_required"), ("/#?", "title_invalid"),
                                        ("長" * 121, "title_too_long")])
def test_bad_titles(title: str, code: str) -> None:
    with pytest.raises(DomainError) as error:
        check_title(title)
    assert (error.value.message, error.value.field) == (code, "title")


def test_clean_title_keeps_one_line() -> None:
    assert clean_title("議事録\n第1回\t（案）") == "議事録 第1回 （案）"


def resolver(existing: set[str]):  # type: ignore[no-untyped-def]
    def resolve(title: str) -> LinkTarget | None:
        slug = slugify(title)
        return LinkTarget(f"/w/{slug}", slug in existing)

    return resolve


def render(source: str, existing: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    return str(core_text.render(source, extensions=[WikiLinkExtension(resolver(set(existing)))]).html)


def test_links_to_existing_and_missing_pages() -> None:
    html = render("[[議事録]]、[[提案の骨子|骨子]]、[[まだない]]", {"議事録", "提案の骨子"})
    assert '<a class="wikilink" href="/w/議事録" rel="nofollow noopener noreferrer">議事録</a>' in html
    assert '<a class="wikilink" href="/w/提案の骨子" rel="nofollow noopener noreferrer">骨子</a>' in html
    assert 'class="wikilink wikilink-new"' in html and 'title="まだない"' in html


def test_case_links_code_spans_and_escaping() -> None:
    html = render("[[case:nagoya-joint-dispatch-center|名古屋の事例]] `[[code]]` [[<b>太字</b>]]")
    assert 'class="caselink" href="/cases/nagoya-joint-dispatch-center"' in html and ">名古屋の事例<" in html
    assert "<code>[[code]]</code>" in html and "<b>" not in html
    assert render("[[事例:kobe-ashiya-waste-incineration]]").count('class="caselink"') == 1


def test_case_links_under_their_titles_and_missing_ones_marked() -> None:
    cases = CaseTitles({"nagoya": "名古屋の*共同*運用"}, lambda slug: f"{slug}（なし）")
    source = "[[case:nagoya]] [[事例:nagoya|ラベル]] [[case:gone]] [[ページ]] [[case:<img src=x onerror=alert(1)>]]"
    html = str(core_text.render(source, extensions=[case_link_extension(cases)]).html)
    assert '<a class="caselink" href="/cases/nagoya" rel="nofollow noopener noreferrer">' \
           '名古屋の*共同*運用</a>' in html  # a title is not read as Markdown
    assert ">ラベル</a>" in html and "[[ページ]]" in html  # page links are not this text's business
    assert '<a class="caselink wikilink-new" href="/cases/gone" title="gone（なし）"' in html
    assert ">gone（なし）</a>" in html
    assert "<img" not in html  # an odd slug stays text
    assert case_slugs(source) == ["nagoya", "gone", "<img src=x onerror=alert(1)>"]
    assert plain_links("[[case:nagoya]]、[[case:nagoya|例]]、[[case:gone]]、[[A|a]]", {"nagoya": "名古屋"}) == \
        "名古屋、例、gone、a"


def test_link_targets_lists_pages_once() -> None:
    assert link_targets("[[A]] [[B|b]] [[A]] [[case:x]]") == ["A", "B"]


def test_mentions() -> None:
    people = [(1, "横浜 一花", "ichika@example.jp"), (2, "川崎 二葉", "futaba@example.jp")]
    assert mentioned("@横浜一花 さん、@futaba も確認を", people) == [1, 2]
    assert mentioned("@横浜 一花さん", people) == [1]
    assert mentioned("メールは ichika@example.jp へ", people) == []
    html = str(core_text.render("@横浜一花 確認", extensions=[MentionExtension(people)]).html)
    assert '<span class="mention">@横浜一花</span> 確認' in html
    assert "mention" not in str(core_text.render("@誰か", extensions=[MentionExtension([])]).html)


def test_plain_text_is_what_a_reader_sees() -> None:
    text = plain_text("# 見出し\n\n**防災**の[[議事録|記録]]と[[case:x|事例]]。\n\n- 一\n- 二\n\n<script>x()</script> &amp;")
    assert text == "見出し 防災の記録と事例。 一 二 &"
