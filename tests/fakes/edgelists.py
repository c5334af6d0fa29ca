"""Edge lists as other crawlers export them, for the "Link graph from a file" tests.

`write_sf_inlinks` writes a small site in Screaming Frog's "All Inlinks" shape: its column names,
image rows beside the hyperlinks, a nofollow link, 404 targets. `SITE` holds what a correct import
finds in it.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from pathlib import Path

SF_COLUMNS = ["Type", "Source", "Destination", "Size (Bytes)", "Alt Text", "Anchor", "Status Code", "Status",
              "Follow", "Target", "Rel", "Path Type", "Link Path", "Link Position", "Link Origin"]
ROOT = "https://www.example.com"
PAGES = [f"{ROOT}/"] + [f"{ROOT}/page-{i}" for i in range(1, 9)]
GONE = f"{ROOT}/gone"
SITE = {"top_pagerank": f"{ROOT}/", "broken": [GONE], "pages": len(PAGES) + 2,  # + /gone and /login
        "hyperlinks": 0, "images": 0, "nofollow": 1}


def _rows() -> list[list[str]]:
    rows: list[list[str]] = []

    def link(src: str, dst: str, anchor: str, code: int = 200, follow: bool = True, kind: str = "Hyperlink") -> None:
        status = {200: "OK", 404: "Not Found"}.get(code, "")
        rows.append([kind, src, dst, "0", "", anchor, str(code), status, "True" if follow else "False", "",
                     "" if follow else "nofollow", "Absolute", "/html/body/a", "Content", "HTML"])

    home, pages = PAGES[0], PAGES[1:]
    for p in pages:
        link(home, p, f"Go to {p.rsplit('/', 1)[-1]}")
        link(p, home, "Home")
        link(p, f"{ROOT}/logo.png", "", kind="Image")
    for a, b in itertools.pairwise(pages):
        link(a, b, "Next")
    link(pages[2], GONE, "Old page", code=404)
    link(pages[4], GONE, "Old page again", code=404)
    link(pages[1], f"{ROOT}/login", "Log in", follow=False)
    SITE["hyperlinks"] = sum(r[0] == "Hyperlink" for r in rows)
    SITE["images"] = sum(r[0] == "Image" for r in rows)
    return rows


def sf_inlinks_text(columns: list[str] | None = None) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(columns or SF_COLUMNS)
    w.writerows(_rows())
    return out.getvalue()


def write_sf_inlinks(path: Path, *, gz: bool = False, columns: list[str] | None = None) -> Path:
    text = sf_inlinks_text(columns).encode()
    path.write_bytes(gzip.compress(text) if gz else text)
    return path
