"""Run receipts: one workflow run as a zip a person can keep, send and check later.

The zip holds `state.json` (the run's state), `model_calls.json` (every model call the run made,
prompt and reply), `files/` (the files the run uploaded or produced inside the data dir) and
`manifest.json`: the SHA-256 and size of every other member, with the app, key, time and Cardflow
version. `verify` recomputes the hashes: `cardflow verify FILE.zip` names any member that was
changed, removed or added since.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cardflow import model_calls
from cardflow.db import Database, now_iso
from cardflow.errors import Problem
from cardflow.uploads import run_id

FORMAT = "cardflow-receipt/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20
# Never copied into a receipt, even when a step names them: the database, logs, backups, secrets.
PRIVATE_TOP = {"logs", "backups", "receipts", "plugins"}
PRIVATE_NAME = re.compile(r"(^cardflow\.db)|token|secret|password|\.pem$|\.key$", re.I)
MAX_PATH_TEXT = 4096


def cardflow_version() -> str:
    try:
        return version("cardflow")
    except PackageNotFoundError:
        return "unknown"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _inside(data_dir: Path, path: Path) -> Path | None:
    """`path` relative to the data dir when it is a shareable file there; else None."""
    try:
        resolved = path.resolve()
        rel = resolved.relative_to(data_dir.resolve())
    except (OSError, ValueError):
        return None
    if not rel.parts or rel.parts[0] in PRIVATE_TOP or any(PRIVATE_NAME.search(p) for p in rel.parts):
        return None
    return rel if resolved.is_file() else None


def run_files(data_dir: Path, app: str, key: str, state: dict[str, Any]) -> list[Path]:
    """The run's files, relative to the data dir: its uploads folder, and any file a step value names
    (a data-dir-relative or absolute path)."""
    found: set[Path] = set()
    # The upload steps keep a run's files under a folder named from its key (cardflow.uploads.run_id).
    for folder in {data_dir / "uploads" / app / run_id(key), data_dir / "uploads" / app / key}:
        if folder.is_dir():
            for path in folder.rglob("*"):
                rel = _inside(data_dir, path)
                if rel is not None:
                    found.add(rel)
    for text in _strings({k: v for k, v in state.items() if k not in ("created", "updated")}):
        if not text or len(text) > MAX_PATH_TEXT or "\x00" in text:
            continue
        candidate = Path(text).expanduser()
        rel = _inside(data_dir, candidate if candidate.is_absolute() else data_dir / candidate)
        if rel is not None:
            found.add(rel)
    return sorted(found)


def _hash_file(fh: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _entry(name: str, data: bytes) -> dict[str, Any]:
    return {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def write_receipt(out: Path, *, db: Database, data_dir: Path, app: str, key: str,
                  state: dict[str, Any]) -> dict[str, Any]:
    """Write the receipt of run `key` to `out` (through a temporary file); return its manifest."""
    calls = model_calls.for_key(db, key, since=str(state.get("created", "")))
    members = {"state.json": json.dumps(state, indent=2, ensure_ascii=False, sort_keys=True).encode(),
               "model_calls.json": json.dumps(calls, indent=2, ensure_ascii=False).encode()}
    entries = [_entry(name, data) for name, data in members.items()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
            for rel in run_files(data_dir, app, key, state):
                name = "files/" + rel.as_posix()
                with (data_dir / rel).open("rb") as fh:
                    sha, size = _hash_file(fh)
                zf.write(data_dir / rel, name)
                entries.append({"path": name, "sha256": sha, "size": size})
            manifest = {"format": FORMAT, "cardflow_version": cardflow_version(), "app": app, "key": key,
                        "created": now_iso(), "files": entries}
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return manifest


@dataclass
class Verdict:
    """What `verify` found: `ok` when every member matches the manifest and nothing is extra."""

    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.unsafe)

    def lines(self) -> list[str]:
        out = [f"CHANGED {n}: its SHA-256 or size does not match the manifest" for n in self.changed]
        out += [f"MISSING {n}: listed in the manifest but not in the zip" for n in self.missing]
        out += [f"EXTRA {n}: in the zip but not in the manifest" for n in self.extra]
        out += [f"UNSAFE {n}: a path that leaves the receipt's folder" for n in self.unsafe]
        return out


def _safe_name(name: str) -> bool:
    """Zip-slip guard: relative, forward slashes, no `..`, no drive letter."""
    path = PurePosixPath(name)
    return bool(name) and "\\" not in name and not path.is_absolute() and ".." not in path.parts \
        and not re.match(r"^[A-Za-z]:", name)


def verify(path: Path) -> Verdict:
    """Check a receipt against its manifest. Raises Problem when it is not a receipt at all."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise Problem(f"{path}: no such file.", 404) from None
    except (zipfile.BadZipFile, IsADirectoryError, OSError):
        raise Problem(f"{path} is not a zip file, so it is not a Cardflow receipt.") from None
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        if MANIFEST not in names:
            raise Problem(f"{path} has no {MANIFEST}: it is not a Cardflow receipt.")
        try:
            manifest = json.loads(zf.read(MANIFEST))
            listed = {str(e["path"]): (str(e["sha256"]), int(e["size"])) for e in manifest["files"]}
        except (ValueError, KeyError, TypeError):
            raise Problem(f"{path}: its {MANIFEST} cannot be read (not the receipt format).") from None
        verdict = Verdict(manifest=manifest)
        for name in names:
            if name == MANIFEST:
                continue
            if not _safe_name(name):
                verdict.unsafe.append(name)
            elif name not in listed:
                verdict.extra.append(name)
            else:
                verdict.checked += 1
                try:
                    with zf.open(name) as fh:
                        same = _hash_file(fh) == listed[name]
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError):  # bytes edited in place: bad CRC
                    same = False
                if not same:
                    verdict.changed.append(name)
        verdict.missing = sorted(set(listed) - set(names))
        verdict.unsafe += [n for n in listed if not _safe_name(n) and n not in verdict.unsafe]
    return verdict


def receipt_path(data_dir: Path, app: str, key: str) -> Path:
    """A new file in `<data dir>/receipts/` for this run's receipt."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80] or "run"
    stamp = re.sub(r"[^0-9T]", "", now_iso()[:19])
    folder = data_dir / "receipts"
    out, n = folder / f"{app}-{safe}-{stamp}.zip", 2
    while out.exists():
        out, n = folder / f"{app}-{safe}-{stamp}-{n}.zip", n + 1
    return out
