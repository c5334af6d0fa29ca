"""What the crawler reads from an HTML page, with the stdlib ``html.parser``.

``<a href>`` (with ``rel=nofollow``), the first ``<title>``, ``<meta name=description>``,
``<meta name=robots content=nofollow>`` and ``<base href>``. Only ``text/html`` and
``application/xhtml+xml`` bodies are read (:func:`is_html_type`), at most
:data:`MAX_HTML_BYTES` of them.
"""

from __future__ import annotations

from html.parser import HTMLParser

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_HTML_BYTES = 5_000_000


def is_html_type(content_type: str) -> bool:
    """True for a Content-Type header naming an HTML type (parameters such as charset ignored)."""
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


class PageParser(HTMLParser):
    """Collects links, the first <title>, meta description/robots and <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (href, nofollow)
        self.title_parts: list[str] = []
        self.title_done = False
        self.in_title = False
        self.description = ""
        self.base_href: str | None = None
        self.meta_nofollow = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            rel = a.get("rel", "").lower().split()
            self.links.append((a["href"], "nofollow" in rel))
        elif tag == "title" and not self.title_done:
            self.in_title = True
        elif tag == "meta":
            name = a.get("name", "").lower()
            if name == "description" and not self.description:
                self.description = " ".join(a.get("content", "").split())
            elif name == "robots" and "nofollow" in a.get("content", "").lower().replace(",", " ").split():
                self.meta_nofollow = True
        elif tag == "base" and self.base_href is None and a.get("href"):
            self.base_href = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)

    @property
    def title(self) -> str:
        return " ".join("".join(self.title_parts).split())
