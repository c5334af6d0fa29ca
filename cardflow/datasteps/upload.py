"""The Upload kind: a file (CSV, gzip CSV, JSON, Parquet) streamed into the data dir and described.

The step's saved value is small JSON about the file, never its content: the name, its path
relative to the data dir, format, size, sha256, row count, columns (and, for a CSV, the dialect
sniffed once). From the page the file streams in (`receive`); over MCP and the CLI the
`<app>.submit` action takes `file=<local path>` and copies it in under the same limit and checks.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fasthtml.common import Code, Div, Input, P, Script, Small
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cardflow import uploads
from cardflow.datasteps.base import SCRIPT, DataFlow, human_bytes, source_of
from cardflow.datasteps.query import Source, describe, read_sql
from cardflow.datasteps.table import preview_rows
from cardflow.errors import Problem
from cardflow.fields import ValidationError
from cardflow.security import streams_own_body
from cardflow.steps import Step, StepCall


def _rehash(path: Path) -> uploads.Received:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return uploads.Received(path, path.name, path.stat().st_size, h.hexdigest())


@dataclass(frozen=True)
class Upload:
    """A file upload. `accept`: extensions (csv, csv.gz, tsv, json, jsonl, parquet); `max_mb`: the limit."""

    accept: tuple[str, ...] = ("csv", "json", "parquet")
    max_mb: float = 100.0
    receives_files: ClassVar[bool] = True

    def __post_init__(self) -> None:
        unknown = [e for e in self.accept if e.lower() not in uploads.FORMATS]
        if unknown or not self.accept:
            raise ValueError(f"Upload(accept=...) takes extensions among {', '.join(uploads.FORMATS)}; got {unknown}")
        if not self.max_mb > 0:
            raise ValueError("Upload(max_mb=...) must be positive")

    def limit_mb(self, settings: Any) -> float:
        """The step's max_mb, capped by CARDFLOW_MAX_UPLOAD_MB: the user's machine has the last word."""
        return min(self.max_mb, float(settings.max_upload_mb))

    def max_bytes(self, settings: Any) -> int:
        return int(self.limit_mb(settings) * 2**20)

    def describe(self) -> str:
        """How an action caller gives this step its value."""
        return (f"a file: pass file=<path of a local file> ({', '.join('.' + e for e in self.accept)}, "
                f"at most {self.max_mb:g} MB)")

    # -- hooks -------------------------------------------------------------------------------------
    def render(self, wf: DataFlow, call: StepCall) -> Any:
        sid = call.step.id
        return (Input(type="file", name=sid, id=f"field-{sid}", required=True,
                      accept=",".join("." + e for e in self.accept), aria_describedby=f"{wf.name}-{sid}-error"),
                Small(f"{', '.join('.' + e for e in self.accept)} · at most {self.limit_mb(wf.ctx.settings):g} MB",
                      cls="muted"),
                Script(src=SCRIPT))

    async def submit(self, wf: DataFlow, call: StepCall) -> dict[str, Any]:
        """Take the file named in the form (a streamed upload, or a local path from an action)."""
        raw = call.form.get(call.step.id) if call.form is not None else None
        if not isinstance(raw, str) or not raw.strip():
            raise ValidationError("Choose a file to upload.")
        data_dir = Path(wf.ctx.settings.data_dir)
        path = Path(raw.strip()).expanduser()
        if uploads.is_incoming(data_dir, path) and path.is_file():
            received = await asyncio.to_thread(_rehash, path)
        else:
            uploads.format_of(path.name, self.accept)  # refuse a wrong type before copying anything
            received = await asyncio.to_thread(uploads.copy_in, data_dir, str(path), self.max_bytes(wf.ctx.settings))
        try:
            if received.size > self.max_bytes(wf.ctx.settings):
                raise uploads.TooLarge(f"The file is larger than this step's limit of "
                                       f"{self.limit_mb(wf.ctx.settings):g} MB; "
                                       "nothing was kept.")
            fmt = uploads.format_of(received.name, self.accept)
            await asyncio.to_thread(uploads.sniff, received.path, fmt)
            info = await asyncio.to_thread(describe, data_dir, received.path, fmt)
        except BaseException:
            uploads.discard(received.path.parent)
            raise
        target = uploads.step_dir(data_dir, wf.name, call.key, call.step.id) / received.sha256[:16]
        final = uploads.keep(data_dir, received, target)
        value = {"name": received.name, "path": final.relative_to(data_dir).as_posix(), "format": fmt,
                 "bytes": received.size, "sha256": received.sha256, **info}
        return {call.step.id: value}

    def locked(self, wf: DataFlow, call: StepCall) -> Any:
        v = call.data.get(call.step.id) or {}
        cols = v.get("columns", [])
        shown = ", ".join(cols[:20]) + (f" and {len(cols) - 20} more" if len(cols) > 20 else "")
        return Div(P(Code(v.get("name", "")), f" · {v.get('rows', 0):,} rows · {len(cols)} columns · "
                     f"{human_bytes(int(v.get('bytes', 0)))}"),
                   Small(f"Columns: {shown}", cls="muted"), cls="upload-summary")

    # -- abilities ---------------------------------------------------------------------------------
    def relation(self, wf: DataFlow, state: dict[str, Any], step: Step) -> Source:
        v = state[step.id][step.id]
        path = uploads.resolve(wf.ctx.settings.data_dir, v["path"])
        return Source(sql=f"SELECT * FROM {read_sql(path, v['format'], v.get('read'))}", columns=list(v["columns"]),
                      types=list(v.get("types", [])), rows=int(v["rows"]), label=v["name"])

    async def preview(self, wf: DataFlow, state: dict[str, Any], step: Step, **options: Any) -> dict[str, Any]:
        return await preview_rows(wf, source_of(wf, state, step.id), step.id, **options)

    async def receive(self, wf: Any, req: Request, key: str, step: Step) -> Any:
        """The page's upload: stream it in, then submit it through the action like any caller."""
        from cardflow.ui import cards

        data_dir = wf.ctx.settings.data_dir
        received = None
        try:
            received = await uploads.receive(req, data_dir, step.id, self.max_bytes(wf.ctx.settings))
            await wf.act(req, "submit", key=key, step=step.id, file=str(received.path))
        except Problem as exc:
            state = wf.ctx.pipulate.read_state(key)
            card = cards.open_card(wf.flow_view(), wf.card_view(key, step, state, error=str(exc)))
            # A refused size keeps its 413 (datasteps.js swaps that card in); anything else is the usual 200.
            return HTMLResponse(str(_html(card)), status_code=413 if isinstance(exc, uploads.TooLarge) else 200)
        finally:
            if received is not None:
                uploads.discard(received.path.parent)  # after a failed submit; empty after a kept one
        return wf._step_card(key, step, wf.ctx.pipulate.read_state(key))


def _html(ft: Any) -> str:
    from fasthtml.common import to_xml

    parts = ft if isinstance(ft, tuple) else (ft,)
    return "".join(str(to_xml(p)) for p in parts)


class RawRoute:
    """A route registered on Starlette's router, not FastHTML's: FastHTML parses every request's form
    before the handler runs, which would spool an upload to /tmp whole; this one reads the stream."""

    def __init__(self, path: str) -> None:
        self.path = path

    def to(self, **params: Any) -> str:
        from fasthtml.common import qp

        return str(qp(self.path, **params))


def upload_route(wf: Any) -> RawRoute:
    """POST /<app>/upload/{step_id}?key=…: the open card of an upload step posts its file here."""
    from starlette.routing import Route

    async def endpoint(req: Request) -> HTMLResponse:
        key = wf._key(req)
        step = wf.require_step(str(req.path_params["step_id"]))
        if not getattr(step.kind, "receives_files", False):
            raise Problem(f"The step “{step.id}” takes no file.", 404)
        out = await step.kind.receive(wf, req, key, step)
        return out if isinstance(out, HTMLResponse) else HTMLResponse(_html(out))

    path = f"{wf.path}/upload/{{step_id}}"
    wf.ctx.app.router.routes.append(Route(path, endpoint, methods=["POST"], name=f"{wf.name}:upload"))
    # The step's own max_mb applies, counted as the bytes are written (uploads.py), not the global cap.
    streams_own_body(wf.ctx.app, re.escape(f"{wf.path}/upload/") + r"[^/]+")
    return RawRoute(path)
