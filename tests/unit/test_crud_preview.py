"""A proposal says what it would do in words (crud_preview.py), as its receipt will once it runs."""

from __future__ import annotations

import pytest

from cardflow.actions.crud_preview import crud_previews
from cardflow.chat.acting import describe

TASKS = crud_previews("task", "name", "done")


@pytest.mark.parametrize("verb, params, said", [
    ("add", {"name": "call <Ann>"}, "Add task “call <Ann>”"),
    ("add", {"name": "x", "done": True}, "Add task “x”, done"),
    ("update", {"item": "call Bob", "name": "call Alice"}, "Rename task “call Bob” to “call Alice”"),
    ("update", {"id": 4, "priority": 2}, "Change task 4: priority: 2"),
    ("toggle", {"item": "call Bob", "done": True}, "Mark task “call Bob” done"),
    ("toggle", {"item": "call Bob", "done": False}, "Mark task “call Bob” not done"),
    ("toggle", {"item": "call Bob"}, "Flip “done” on task “call Bob”"),
    ("delete", {"item": "dog"}, "Delete task “dog”"),
    ("clear", {"which": "all"}, "Delete every task"),
    ("clear", {"which": "done"}, "Delete every task that is done"),
    ("clear", {"which": "not done"}, "Delete every task not done"),
    ("move", {"item": "call Bob", "position": "top"}, "Move task “call Bob” to the top"),
    ("move", {"item": "call Bob", "position": 3}, "Move task “call Bob” to position 3"),
    ("move", {"item": "call Bob", "position": "down"}, "Move task “call Bob” down"),
])
def test_a_change_is_previewed_in_words(verb, params, said):
    assert TASKS[verb](params) == said


def test_an_app_without_a_flag_has_no_toggle_and_the_registry_carries_previews(client):
    assert "toggle" not in crud_previews("note", "title", None)
    actions = {a.name: a for a in client.app.state.ctx.actions.all()}
    assert describe({"item": "call Bob"}, actions["tasks.delete"]) == "Delete task “call Bob”"
    assert describe({"item": "Acme"}, actions["profiles.delete"]) == "Delete profile “Acme”"
    # Without a preview, or with parameters it cannot word, the parameters are listed.
    assert describe({"name": "x"}) == 'name: "x"'
    assert describe({"position": ["odd"]}, actions["tasks.move"]).startswith("Move a task")  # never a crash
