"""Grounding the model's strings in the user's own words, without vocabulary lists."""

from __future__ import annotations

import pytest

from cardflow.chat.grounding import reference, snap, unquote

ROWS = ["buy milk", "buy milk powder", "water the plants", "book the dentist", "call Bob"]


@pytest.mark.parametrize("value, text, expected", [
    ("fix the bike", "could you add 'fix the bike' please", "fix the bike"),
    ("“fix the bike”.", "add “fix the bike”.", "fix the bike"),
    ("script", "add a task called <script>alert(1)</script>", "<script>alert(1)</script>"),
    ("review <b>Q4</b> numbers", "add review <b>Q4</b> numbers", "review <b>Q4</b> numbers"),
    ("send invoice", "I have to send the invoice", "send the invoice"),
    ("Email the Landlord", "new todo: email the landlord about the heater", "email the landlord"),
    ("Paris", "add a task to call Bob", None),
    ("", "anything", None),
])
def test_snap_keeps_the_users_words_exactly(value, text, expected):
    assert snap(value, text) == expected


def test_unquote_strips_only_wrapping_quotes_and_end_punctuation():
    assert unquote(" 'it's fine' ") == "it's fine"
    assert unquote("<b>bold</b>!") == "<b>bold</b>"
    assert unquote("a “b” c") == "a “b” c"


@pytest.mark.parametrize("text, expected", [
    ("the dentst is done", "book the dentist"),  # a typo in a longer word
    ("is Bob's call done yet?", "call Bob"),
    ("mark the milk task done", "milk"),  # two rows say milk: the registry asks which
    ("rename the secret plan to", None),  # "the" and "plan" name nothing here
    ("delete all tasks of profile 2", None),
])
def test_reference_is_the_row_the_words_name(text, expected):
    assert reference("buy milk", ROWS, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("tick off the dog task", "dog"),  # both dog rows, which one unsaid: the registry asks
    ("delete the dog one", "dog"),
    ("tick off the dog treats", "buy dog treats"),
])
def test_a_reference_to_what_several_rows_share_makes_the_registry_ask(text, expected):
    rows = ["buy dog food", "buy dog treats", "call grandma"]
    assert reference("buy dog food", rows, text) == expected
