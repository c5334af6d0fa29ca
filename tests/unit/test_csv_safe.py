"""Downloads a spreadsheet opens as text: no cell of ours runs as a formula."""

from __future__ import annotations

import csv

import duckdb
import pytest

from cardflow import csv_safe
from cardflow.linkgraph.analysis import copy_csv

FORMULAS = ["=1+1", '=HYPERLINK("http://evil.test","x")', "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(A1)",
            "\t=1", "\r=1"]
KEPT = ["https://shop.test/", "/cat/1", "plain text", "", "-3", "+1.5e3", "-0.25", "a=b", "'quoted"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_gets_a_leading_apostrophe(text):
    assert csv_safe.cell(text) == "'" + text


@pytest.mark.parametrize("text", KEPT)
def test_text_and_numbers_are_kept(text):
    assert csv_safe.cell(text) == text


def test_non_text_values_pass_through():
    assert csv_safe.row([1, -2.5, None, True, "=x"]) == [1, -2.5, None, True, "'=x"]


def test_duckdb_copies_are_guarded_the_same_way(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE pages (url VARCHAR, pagetype VARCHAR, rank DOUBLE, depth INTEGER)")
    values = [(f"https://s.test/{i}", t, -1.5 * i, i) for i, t in enumerate([*FORMULAS, *KEPT])]
    con.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)", values)
    con.execute("INSERT INTO pages VALUES (NULL, NULL, NULL, NULL)")
    out = tmp_path / "pages.csv"
    copy_csv(con, "SELECT url, pagetype AS \"page type\", rank, depth FROM pages ORDER BY depth NULLS LAST", out)
    with out.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["url", "page type", "rank", "depth"]  # names kept, even one needing quotes
    assert [r[1] for r in rows] == [csv_safe.cell(t) for t in [*FORMULAS, *KEPT]] + [""]
    assert [r[1] for r in rows[:len(FORMULAS)]] == ["'" + t for t in FORMULAS]
    assert rows[3][2] == "-4.5" and rows[-1] == ["", "", "", ""]  # numbers and NULLs untouched
