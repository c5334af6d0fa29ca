"""Reading a batch file: whole-file refusals, per-row refusals, and the list-of-keys form."""

from __future__ import annotations

import pytest

from cardflow.batch.parse import MAX_ROWS, parse_batch
from cardflow.errors import Problem
from cardflow.workflow_ops import WorkflowOps

STEPS = ["name", "greeting"]


def parse(text: str):
    return parse_batch(text, STEPS, WorkflowOps.clean_key)


def test_a_csv_gives_one_row_per_key_with_its_cells():
    batch = parse("\ufeffKey, Name\nada,Ada Lovelace\n\n grace ,\"Hopper, Grace\"\n")
    assert batch.columns == ["name"]
    assert [(r.line, r.key, r.cells, r.error) for r in batch.rows] == [
        (2, "ada", {"name": "Ada Lovelace"}, ""), (4, "grace", {"name": "Hopper, Grace"}, "")]


def test_a_list_of_keys_has_no_columns():
    batch = parse("one\n\ntwo words\nthree\n")
    assert batch.columns == [] and [r.key for r in batch.rows] == ["one", "two words", "three"]
    assert all(r.cells == {} and not r.error for r in batch.rows)


@pytest.mark.parametrize(("text", "words"), [
    ("key,name,colour\nada,Ada,red\n", ["Unknown column “colour”", "key", "name, greeting"]),
    ("name,greeting\nAda,Hi\n", ["no “key” column", "name, greeting"]),
    ("key,name,name\nada,A,B\n", ["name appear more than once"]),
    ("key,,name\nada,x,A\n", ["Column 2 of the header row has no name"]),
    ("key,name\n", ["header but no rows"]),
    ("  \n\n", ["The batch is empty"]),
    ("key\nbad\x00\n", ["NUL bytes"]),
])
def test_a_file_that_cannot_run_is_refused_whole(text, words):
    with pytest.raises(Problem) as exc:
        parse(text)
    for word in words:
        assert word in str(exc.value)


def test_bad_rows_are_refused_one_by_one_and_the_others_run():
    batch = parse("key,name\nada,Ada\nada,Again\n,Nobody\n" + "x" * 201 + ",Long\nbob,Bob,extra\ncy,Cy\n")
    errors = {r.line: r.error for r in batch.rows}
    assert errors[2] == "" and errors[7] == ""
    assert errors[3] == "The key “ada” is already on line 2; each key runs once."
    assert errors[4] == "Type a key to start or resume a workflow."
    assert errors[5] == "Keys are at most 200 characters."
    assert errors[6] == "This line has 3 cells but the header has 2 columns."
    assert batch.runnable == 2


def test_too_many_rows_are_refused():
    with pytest.raises(Problem, match="at most 5000"):
        parse("key\n" + "\n".join(f"k{i}" for i in range(MAX_ROWS + 1)))
