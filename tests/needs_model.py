"""The embedded model in tests: skipped where it is not installed, unless `make test` says it must be.

`make test` runs the suite in two passes: everything not marked `model` while llama.cpp builds in
the background, then the `model` tests once the build is done. It sets CARDFLOW_TESTS_NEED_MODEL,
so a test that needs the model and is not marked fails in the first pass instead of skipping
quietly; a developer running plain `pytest` without the model still gets a skip.
"""

from __future__ import annotations

import os

import pytest

NEED = "CARDFLOW_TESTS_NEED_MODEL"


def require_model() -> None:
    from cardflow.chat.backends import embedded_available

    available, why = embedded_available()
    if available:
        return
    if os.environ.get(NEED) == "1":
        pytest.fail(f"this test needs the embedded model, and {why}. Mark it `model` (make test runs "
                    "those after the build) or run `make llm` first.")
    pytest.skip(why)
