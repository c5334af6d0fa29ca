"""The fake's generated site: deterministic pages and internal links, and the fields a page answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SITE = "https://www.example.com"


@dataclass
class Page:
    url: str
    depth: int
    http_code: int = 200
    title: str = ""
    description: str = ""
    pagetype: str = ""
    compliant: bool = True
    outlinks: list[str] = field(default_factory=list)


def build_site() -> list[Page]:
    """Home (0) -> 3 categories (1) -> 3 products each (2) -> 2 reviews each (3), plus odd pages.

    Links: each page links to its children, its parent, the home page and its next sibling.
    A 301 page (depth 1) and a 404 page (depth 2) exist for the metadata filter; one title has a
    comma and quotes and one description a newline, to exercise CSV quoting.
    """
    home = Page(f"{SITE}/", 0, title="Example shop", description="Home page", pagetype="home")
    pages = [home]
    cats: list[Page] = []
    for c in range(1, 4):
        cats.append(
            Page(
                f"{SITE}/cat-{c}/",
                1,
                title=f"Category {c}",
                description=f"All of category {c}",
                pagetype="category",
            )
        )
    pages += cats
    products: dict[str, list[Page]] = {}
    for cat in cats:
        kids = []
        for p in range(1, 4):
            name = cat.url.rstrip("/").rsplit("/", 1)[1]
            kids.append(
                Page(
                    f"{cat.url}product-{p}",
                    2,
                    title=f"Product {name}-{p}",
                    description=f"Buy product {p}",
                    pagetype="product",
                )
            )
        products[cat.url] = kids
        pages += kids
    reviews: dict[str, list[Page]] = {}
    for plist in products.values():
        for prod in plist:
            kids = [
                Page(
                    f"{prod.url}/review-{r}",
                    3,
                    title=f"Review {r}",
                    description="Customer review",
                    pagetype="review",
                )
                for r in range(1, 3)
            ]
            reviews[prod.url] = kids
            pages += kids
    pages[4].title = 'Product "cat-1-1", the best'
    pages[5].description = "Two lines\nof description"
    redirect = Page(f"{SITE}/old-page", 1, http_code=301, title="", pagetype="other", compliant=False)
    missing = Page(f"{SITE}/missing", 2, http_code=404, title="Not found", pagetype="other", compliant=False)
    pages += [redirect, missing]

    def siblings_links(group: list[Page]) -> None:
        for i, page in enumerate(group):
            page.outlinks.append(group[(i + 1) % len(group)].url)

    home.outlinks += [c.url for c in cats] + [redirect.url]
    for cat in cats:
        cat.outlinks += [p.url for p in products[cat.url]] + [home.url]
    siblings_links(cats)
    cats[0].outlinks.append(missing.url)
    for cat in cats:
        for prod in products[cat.url]:
            prod.outlinks += [r.url for r in reviews[prod.url]] + [cat.url, home.url]
        siblings_links(products[cat.url])
    for prod_url, rlist in reviews.items():
        for rev in rlist:
            rev.outlinks += [prod_url, home.url]
    return pages


def segment_value(page: Page, name: str) -> str:
    """A page's value in the segment ``name``: any name a test gives a project has values."""
    if name == "pagetype":
        return page.pagetype
    if name == "lang":
        return "fr" if "review" in page.url else "en"
    return f"{name}/{page.pagetype}"


def page_value(page: Page, name: str) -> Any:
    m = re.fullmatch(r"segments\.([^.]+)\.value", name)
    if m:
        return segment_value(page, m.group(1))
    return {
        "url": page.url,
        "depth": page.depth,
        "http_code": page.http_code,
        "metadata.title.content": page.title,
        "metadata.description.content": page.description,
        "compliant.is_compliant": page.compliant,
        "outlinks_internal.nb.total": len(page.outlinks),
        "outlinks_internal.graph.url": list(page.outlinks),
    }[name]


PAGE_FIELDS = (
    "url",
    "depth",
    "http_code",
    "metadata.title.content",
    "metadata.description.content",
    "compliant.is_compliant",
    "outlinks_internal.nb.total",
    "outlinks_internal.graph.url",
)  # plus segments.{name}.value for each segment the project has (FakeState.segments)
VERBOSE = {
    "url": "Full URL",
    "depth": "Depth",
    "http_code": "HTTP Status Code",
    "metadata.title.content": "Title",
    "metadata.description.content": "Meta Description",
    "compliant.is_compliant": "Is Compliant",
    "outlinks_internal.nb.total": "No. of Internal Outlinks",
    "outlinks_internal.graph.url": "Internal Outlinks URL",
}


def expected_edge_count(depth: int, site: list[Page] | None = None) -> int:
    return sum(len(p.outlinks) for p in (site or build_site()) if p.depth <= depth)


def expected_edges(depth: int, site: list[Page] | None = None) -> list[tuple[str, str]]:
    return [(p.url, d) for p in (site or build_site()) if p.depth <= depth for d in p.outlinks]
