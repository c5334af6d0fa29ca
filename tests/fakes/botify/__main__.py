"""Run the fake Botify by hand: python -m tests.fakes.botify."""

from __future__ import annotations

import contextlib
import time

from tests.fakes.botify.server import run_fake_botify
from tests.fakes.botify.state import TOKEN

if __name__ == "__main__":  # python -m tests.fakes.botify: run it by hand
    with run_fake_botify() as running:
        print(f"API {running.base_url}  downloads {running.download_base_url}  token {TOKEN}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
