"""The example in docs/actions.md runs as the guide shows it: a plugin that declares an action."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from cardflow.config import Settings

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "actions.md"


def test_the_declared_action_runs_and_is_logged(tmp_path: Path) -> None:
    from cardflow.app import build_app

    blocks = dict(re.findall(r"```python\n# file: (\S+)\n(.*?)```", GUIDE.read_text(), re.S))
    assert "stamp_doc.py" in blocks
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "stamp_doc.py").write_text(blocks["stamp_doc.py"])
    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False, llm="scripted"))
    ctx: Any = app.state.ctx
    assert not ctx.registry.errors and "stamp.set" in ctx.actions
    outcome = asyncio.run(ctx.actions.run("stamp.set", {"text": "hi"}, actor="cli"))
    assert outcome.summary == "Stamped “hi”." and ctx.db.store["stamp"] == "hi"
    undo = asyncio.run(ctx.actions.run("activity.undo", {"id": outcome.log_id}, actor="cli"))
    assert undo.summary.startswith("Undid") and ctx.db.store.get("stamp") is None
