"""Whether scripts/install-llm.sh is installing the embedded runtime into this environment now.

The script leaves a marker file beside the environment naming its process while it builds and
installs llama-cpp-python (``make run`` and ``make test`` start it in the background). While
that process lives, the runtime's files are being written: pip's ``--force-reinstall`` of the
wheel rewrites ``libllama.so`` in place, and a server that imports llama_cpp then can map a
library half written and die of SIGBUS. One clean-clone CI run lost a live-server test that way
("server exited with -7", 2026-12-06), when the home page warmed the model during the install.
So the embedded model counts as not there until the process is gone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

MARKER = "llm-installing"


def marker() -> Path:
    """The marker file: it holds the installing process's id."""
    return Path(sys.prefix) / MARKER


def in_progress() -> bool:
    """Whether the marker names a process that is still running."""
    try:
        pid = int(marker().read_text().strip())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
