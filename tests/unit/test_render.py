"""Model markdown must render useful HTML and never anything active."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardflow.chat.render import render_markdown

ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "br", "hr", "s",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}, "code": {"class"}}


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_inert(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs, html)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), html
        if tag == "code" and "class" in attrs:
            assert all(c.startswith("language-") for c in (attrs["class"] or "").split())


def test_basic_markdown():
    html = render_markdown("# Title\n\nSome *em* and **strong** and `code`.\n\n- a\n- b\n\n> quoted")
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html and "<code>code</code>" in html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert "<blockquote>" in html


def test_tables_and_code_fences():
    html = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |\n\n```python\nprint('x')\n```")
    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html
    assert 'style="' not in html  # column alignment styles are dropped
    assert "<pre><code class=\"language-python\">print('x')\n</code></pre>" in html


def test_script_tags_are_escaped_text():
    html = render_markdown("Hi <script>alert(1)</script> there")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


def test_event_handlers_in_raw_html_stay_text():
    html = render_markdown('<img src=x onerror="alert(1)"> and <div onclick=alert(1)>x</div>')
    assert "<img" not in html and "<div" not in html
    assert_inert(html)


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        '<a href="javascript:alert(1)">click</a>',
    ],
)
def test_dangerous_links_do_not_survive(text):
    html = render_markdown(text)
    assert_inert(html)
    assert all(
        attrs.get("href") in (None, "") or attrs["href"].startswith("http") for _, attrs in tags_of(html)
    )


def test_safe_links_get_rel():
    html = render_markdown(
        '[docs](https://example.com/x?a=1&b=2 "Docs") and [mail](mailto:a@b.c) and [rel](/apps/tasks)'
    )
    assert (
        '<a href="https://example.com/x?a=1&amp;b=2" title="Docs" rel="noopener noreferrer">docs</a>' in html
    )
    assert 'href="mailto:a@b.c"' in html
    assert 'href="/apps/tasks"' in html
    assert html.count('rel="noopener noreferrer"') == 3


def test_images_become_links_and_are_never_fetched():
    html = render_markdown(
        '![a cat](https://example.com/cat.png) ![x](javascript:alert(1)) ![y" onerror="z](http://e/")'
    )
    assert "<img" not in html
    assert '<a href="https://example.com/cat.png" rel="noopener noreferrer">a cat</a>' in html
    assert_inert(html)


def test_raw_html_block_from_the_model_is_shown_as_text():
    html = render_markdown(
        "<iframe src='https://evil'></iframe>\n<style>body{display:none}</style>\n<!-- hi -->"
    )
    assert "<iframe" not in html and "<style" not in html and "<!--" not in html
    assert "&lt;iframe" in html
    assert_inert(html)


def test_class_injection_is_limited_to_language_names():
    html = render_markdown('```js" onmouseover="alert(1) evil-class\nx\n```')
    assert_inert(html)
    code = [attrs for tag, attrs in tags_of(html) if tag == "code"]
    assert code == [{"class": 'language-js"'}] or code == [{}]


@pytest.mark.parametrize(
    "partial",
    [
        "```python\ndef f():\n    return 1",
        "Some **bold",
        "A [link](https://exa",
        "| a | b |\n|---|",
        "1. one\n2. tw",
        "> quote\n> ```\n> code",
        "`inline",
        "<scr",
    ],
)
def test_partial_text_mid_stream_renders_safely(partial):
    html = render_markdown(partial)
    assert_inert(html)
    # A reply cut mid-way renders again once finished, the same way the chat panel re-renders.
    assert_inert(render_markdown(partial + " more text\n```\n"))


def test_unclosed_code_fence_keeps_code_as_code():
    html = render_markdown("Here:\n```python\nx = '<b>'")
    assert "<pre><code class=\"language-python\">x = '&lt;b&gt;'" in html


def test_empty_and_whitespace():
    assert render_markdown("") == ""
    assert render_markdown("   \n\n ").strip() == ""


fragments = st.sampled_from(
    [
        "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "data:text/html,",
        "[", "](", ")", "![", "```", "`", "*", "**", "_", "#", ">", "-", "|", "\n", " ", '"', "'",
        "<a href=", "onclick=", "<svg/onload=alert(1)>", "&#106;avascript:", "<", ">", "http://x",
        "<!--", "-->", "<style>", "{", "}", "1.", "---", "\t",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(fragments, st.text(max_size=5)), max_size=25).map("".join))
def test_arbitrary_model_text_renders_inert(text):
    assert_inert(render_markdown(text))
