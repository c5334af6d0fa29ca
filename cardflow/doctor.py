"""`cardflow doctor`: one OK/problem line per thing that can be wrong, and what to do about it."""

from __future__ import annotations

import asyncio
import importlib.metadata
import platform
from pathlib import Path

import apsw

from cardflow.config import Settings


def _line(ok: bool | None, what: str, detail: str) -> str:
    mark = {True: "OK     ", False: "PROBLEM", None: "INFO   "}[ok]
    return f"[{mark}] {what}: {detail}"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def check_lines(settings: Settings) -> list[tuple[bool | None, str, str]]:
    from cardflow.server import port_free

    lines: list[tuple[bool | None, str, str]] = []
    lines.append((None, "versions", f"cardflow {_version('cardflow')}, Python {platform.python_version()}, "
                  f"python-fasthtml {_version('python-fasthtml')}, fastlite {_version('fastlite')}, "
                  f"SQLite {apsw.sqlite_lib_version()} (apsw {apsw.apsw_version()})"))
    data_dir = settings.data_dir
    writable = _writable(data_dir)
    lines.append((writable, "data dir", f"{data_dir}" + ("" if writable else " is not writable: use --data-dir")))
    db = settings.db_path
    if db.exists():
        lines.append((True, "database", f"{db} ({db.stat().st_size / 1024:.0f} KiB)"))
    else:
        lines.append((None, "database", f"{db} (created on first start)"))
    backups = sorted((data_dir / "backups").glob("cardflow-*.db")) if (data_dir / "backups").is_dir() else []
    lines.append((None, "latest backup", backups[-1].name if backups else "none yet"))
    free = port_free(settings.host, settings.port)
    lines.append((free, "port", f"{settings.host}:{settings.port} is " + ("free" if free else
                  "in use (Cardflow may already be running; otherwise use --port)")))
    lines += asyncio.run(_llm_lines(settings))
    return lines


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        return True
    except OSError:
        return False


async def _llm_lines(settings: Settings) -> list[tuple[bool | None, str, str]]:
    try:
        from cardflow.chat import backends
    except ImportError as exc:
        return [(False, "LLM", f"chat backends unavailable: {exc}")]
    out: list[tuple[bool | None, str, str]] = []
    ok, why = await backends.probe_ollama(settings.ollama_host)
    # No Ollama is only a problem when it was asked for; `auto` falls back to the embedded model.
    out.append((ok if ok or settings.llm == "ollama" else None, "LLM ollama", why))
    ok, why = backends.embedded_available()
    out.append((ok, "LLM embedded", why))
    if settings.openai_base_url:
        try:
            models = await backends.OpenAICompatBackend(settings.openai_base_url, settings.openai_api_key).models()
            out.append((True, "LLM openai-compatible", f"{settings.openai_base_url}: {', '.join(models[:5])}"))
        except Exception as exc:
            out.append((False, "LLM openai-compatible", str(exc)))
    try:
        _, reason = await backends.choose_backend(settings.llm, ollama_host=settings.ollama_host,
                                                  openai_base_url=settings.openai_base_url,
                                                  openai_api_key=settings.openai_api_key)
        out.append((True, "LLM in use", reason))
    except Exception as exc:
        out.append((False, "LLM in use", str(exc)))
    return out


def run_doctor(settings: Settings) -> int:
    lines = check_lines(settings)
    for ok, what, detail in lines:
        print(_line(ok, what, detail))
    problems = sum(1 for ok, _, _ in lines if ok is False)
    print(f"{problems} problem(s) found." if problems else "Everything looks fine.")
    return 1 if problems else 0
