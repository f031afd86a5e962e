"""The one Markdown renderer: what survives and what never does."""
from html.parser import HTMLParser

import pytest

from core.text import plain_excerpt, render, render_markdown, source_hash

DANGEROUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "<javascript:alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="#" style="color:red" onclick="alert(1)">x</a>',
    '[x](https://example.jp){: onclick="alert(1)" }',
    "<iframe src=https://example.com></iframe>",
    '<div class="x" id="login-form">x</div>',
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((k, v or "") for k, v in attrs)


@pytest.mark.parametrize("source", DANGEROUS)
def test_nothing_that_runs_script_survives(source: str) -> None:
    parsed = _Collector()
    parsed.feed(str(render_markdown(source)))
    assert set(parsed.tags) <= {"p", "a", "img", "code", "pre", "span"}
    for name, value in parsed.attrs:
        assert not name.startswith("on") and name not in {"style", "id", "class", "srcdoc"}
        if name in {"href", "src"}:
            assert not value.lower().replace(" ", "").startswith(("javascript:", "data:", "vbscript:"))


def test_links_get_rel_and_keep_safe_schemes() -> None:
    html = str(render_markdown("[市](https://www.city.yokohama.lg.jp/) [m](mailto:a@example.jp)"))
    assert 'href="https://www.city.yokohama.lg.jp/"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:a@example.jp"' in html


def test_tables_use_align_attributes_not_styles() -> None:
    html = str(render_markdown("|市|人口|\n|:-|-:|\n|横浜市|377万|"))
    assert '<td align="right">377万</td>' in html
    assert "style" not in html


def test_fenced_code_is_kept_and_escaped() -> None:
    html = str(render_markdown("```python\nprint('<b>')\n```"))
    assert "<pre><code" in html and "&lt;b&gt;" in html


def test_japanese_headings_get_prefixed_ids_and_toc() -> None:
    result = render("## 防災の連携\n\n本文\n\n### 協定\n")
    assert 'id="h-防災の連携"' in str(result.html)
    assert result.toc == ((2, "h-防災の連携", "防災の連携"), (3, "h-協定", "協定"))


def test_user_written_ids_and_classes_are_dropped() -> None:
    html = str(render_markdown('<span class="evil mention">@a</span> <code class="language-python x">y</code>'))
    assert 'class="mention"' in html and "evil" not in html
    assert 'class="language-python"' in html


def test_excerpt_is_plain_text() -> None:
    assert plain_excerpt("# 見出し\n\n**太字**と<script>x</script>本文", 40) == "見出し 太字と本文"
    assert plain_excerpt("あ" * 300, 10) == "あ" * 9 + "…"


def test_source_hash_depends_on_text() -> None:
    assert source_hash("a") != source_hash("b")
    assert source_hash("a") == source_hash("a")
