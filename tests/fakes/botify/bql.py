"""Just enough BQL to answer Cardflow's queries, and the export files rendered from them."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
import zipfile
from typing import Any

from tests.fakes.botify.responses import BadRequest
from tests.fakes.botify.site import PAGE_FIELDS, VERBOSE, Page, page_value
from tests.fakes.botify.state import FakeState


class BQL:
    """Just enough BQL for the queries Cardflow sends: fields, sum/count metrics, filter trees."""

    PREDICATES = ("eq", "contains", "starts", "ends", "re", "lt", "lte", "gt", "gte", "between", "exists")

    def __init__(self, state: FakeState, org: str, project: str, body: Any):
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object")
        collections = body.get("collections")
        query = body.get("query")
        if not isinstance(collections, list) or not collections or not isinstance(query, dict):
            raise BadRequest("collections (non-empty list) and query are required")
        if "dimensions" not in query or "metrics" not in query:
            raise BadRequest("query.dimensions and query.metrics are required (metrics may be empty)")
        if not isinstance(query["dimensions"], list) or not isinstance(query["metrics"], list):
            raise BadRequest("query.dimensions and query.metrics must be lists")
        known = {a["slug"] for a in state.analyses.get((org, project), [])}
        self.slugs = set()
        for coll in collections:
            m = re.fullmatch(r"crawl\.(.+)", str(coll))
            if not m:
                raise BadRequest(f"Collection {coll!r} does not exist", "1029")
            if m.group(1) not in known:
                raise BadRequest(f"Analysis {m.group(1)} not found", "1004", 404)
            self.slugs.add(m.group(1))
        self.site = state.site
        self.segment_names = set(state.segments.get((org, project)) or [])
        self.dimensions = [self.field(d) for d in query["dimensions"]]
        self.metrics = [self.metric(m) for m in query["metrics"]]
        self.filters = query.get("filters")
        if self.filters is not None:
            self.check_filter(self.filters)

    def field(self, spec: Any) -> str:
        if isinstance(spec, dict) and "field" in spec:
            spec = spec["field"]
        if not isinstance(spec, str):
            raise BadRequest(f"Bad field {spec!r}")
        if spec == "url":
            return "url"
        m = re.fullmatch(r"crawl\.([^.]+)\.(.+)", spec)
        seg = re.fullmatch(r"segments\.([^.]+)\.value", m.group(2)) if m else None
        known = m is not None and (m.group(2) in PAGE_FIELDS or (seg is not None and seg.group(1) in self.segment_names))
        if not m or m.group(1) not in self.slugs or not known:
            raise BadRequest(f"Field {spec} does not exist", "1029")
        return m.group(2)

    def metric(self, spec: Any) -> tuple[str, str]:
        if isinstance(spec, dict) and spec.get("function") in ("sum", "count"):
            args = spec.get("args") or []
            if spec["function"] == "count" and not args:
                return "count", "url"
            if len(args) != 1:
                raise BadRequest("metric functions take one argument")
            return spec["function"], self.field(args[0])
        raise BadRequest(f"Unsupported metric {spec!r}", "1029")

    def check_filter(self, node: Any) -> None:
        if not isinstance(node, dict):
            raise BadRequest("filters must be objects")
        for op in ("and", "or"):
            if op in node:
                if not isinstance(node[op], list):
                    raise BadRequest(f"{op} takes a list")
                for child in node[op]:
                    self.check_filter(child)
                return
        if "not" in node:
            self.check_filter(node["not"])
            return
        self.field(node.get("field"))
        pred, value = node.get("predicate"), node.get("value")
        if pred not in self.PREDICATES:
            raise BadRequest(f"Unknown predicate {pred!r}")
        if pred in ("lt", "lte", "gt", "gte") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise BadRequest(f"{pred} needs a number, got {value!r}")

    def match(self, page: Page, node: Any) -> bool:
        if node is None:
            return True
        if "and" in node:
            return all(self.match(page, c) for c in node["and"])
        if "or" in node:
            return any(self.match(page, c) for c in node["or"])
        if "not" in node:
            return not self.match(page, node["not"])
        actual = page_value(page, self.field(node["field"]))
        pred, value = node["predicate"], node.get("value")
        if pred == "exists":
            return actual not in (None, "", [])
        if pred == "eq":
            return actual == value
        if pred == "lt":
            return actual < value
        if pred == "lte":
            return actual <= value
        if pred == "gt":
            return actual > value
        if pred == "gte":
            return actual >= value
        if pred == "between":
            return value[0] <= actual <= value[1]
        text = str(actual)
        return {
            "contains": value in text,
            "starts": text.startswith(value),
            "ends": text.endswith(value),
            "re": re.search(value, text) is not None,
        }[pred]

    def rows(self) -> list[list[Any]]:
        """Dimension rows (multi-valued fields explode into one row per value)."""
        out: list[list[Any]] = []
        for page in self.site:
            if not self.match(page, self.filters):
                continue
            values = [page_value(page, d) for d in self.dimensions]
            lists = [v if isinstance(v, list) else [v] for v in values]
            out.extend([list(combo) for combo in itertools.product(*lists)])
        return out

    def results(self) -> list[dict[str, Any]]:
        pages = [p for p in self.site if self.match(p, self.filters)]
        if not self.metrics:
            return [{"dimensions": r, "metrics": []} for r in self.rows()]
        groups: dict[tuple, list[Page]] = {}
        for page in pages:
            key = tuple(str(page_value(page, d)) for d in self.dimensions)
            groups.setdefault(key, []).append(page)
        if not self.dimensions:
            groups.setdefault((), [])
        results = []
        for key, members in groups.items():
            metrics = []
            for fn, fld in self.metrics:
                if fn == "count":
                    metrics.append(len(members))
                else:
                    total = sum(page_value(p, fld) for p in members)
                    metrics.append(total if members else None)
            results.append({"dimensions": list(key), "metrics": metrics})
        return results


def render_export(bql: BQL, fconf: dict[str, Any], size: int, zipped: bool) -> tuple[bytes, int]:
    """The export file: CSV (``sep=,`` line, header per header_format) in gzip or zip."""
    delim = fconf.get("delimiter", ",")
    buf = io.StringIO(newline="")
    if fconf.get("print_delimiter", True):
        buf.write(f"sep={delim}\r\n")
    writer = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    fmt = fconf.get("header_format", "verbose")
    slug = sorted(bql.slugs)[0]
    if fconf.get("print_header", True):
        header = []
        for d in bql.dimensions:
            header.append(
                VERBOSE.get(d, d.split(".")[1]) if fmt == "verbose" else d if fmt == "slug" or d == "url" else f"crawl.{slug}.{d}"
            )
        writer.writerow(header)
    rows = bql.rows()[:size]
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else v for v in row])
    data = buf.getvalue().encode("utf-8")
    if zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("export.csv", data)
        return out.getvalue(), len(rows)
    return gzip.compress(data, mtime=0), len(rows)
