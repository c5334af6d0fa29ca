"""Model output → safe HTML.

Model text is untrusted: it can echo anything a web page or a user pasted. markdown-it runs
with raw HTML disabled, so tags in the text come out escaped; nh3 then enforces an allow-list
on whatever markdown produced, as a second line of defence. Both tolerate half-finished text,
which matters because we re-render the whole reply on every streamed chunk.
"""

from __future__ import annotations

from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _image_as_link(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # A local-first page must not fetch images a model names; show a link to it instead.
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escapeHtml(str(token.attrGet("src") or ""))}">{escapeHtml(alt)}</a>'


_md.add_render_rule("image", _image_as_link)

_TAGS = {
    "p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "br", "hr", "s",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}}
# No data: or javascript: (or any other scheme that can run code or fetch from elsewhere).
_URL_SCHEMES = {"http", "https", "mailto"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # markdown-it marks fenced code as class="language-x"; no other class is ours to allow.
    if attribute == "class":
        kept = [c for c in value.split() if c.startswith("language-")]
        return " ".join(kept) or None
    return value


def render_markdown(text: str) -> str:
    """Render (possibly partial) markdown from a model into sanitized HTML."""
    return nh3.clean(
        _md.render(text),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )
