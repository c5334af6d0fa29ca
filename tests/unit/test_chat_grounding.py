"""Grounding the model's strings in the user's own words, without vocabulary lists."""

from __future__ import annotations

import pytest

from cardflow.chat.grounding import heard, new_names, quoted, reference, snap, unquote

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


RENAME = {"type": "object", "properties": {"item": {"type": "string"}, "name": {"type": "string"}}}


@pytest.mark.parametrize("text, call, expected", [
    # The new name is the row's own words, said once, where they name the row: not a rename.
    ("uncomplete book the dentist", {"item": "book the dentist", "name": "book"}, None),
    ("untick water the plants", {"item": "water the plants", "name": "the plants"}, None),
    ("call Bob", {"item": "call Bob", "name": "call Bob"}, None),  # its own name
    # Said again apart from the row, the same words are a new name.
    ("shorten buy milk powder to buy milk", {"item": "buy milk powder", "name": "buy milk"},
     {"item": "buy milk powder", "name": "buy milk"}),
    ("rename call Bob to call Bob tonight", {"item": "call Bob", "name": "call Bob tonight"},
     {"item": "call Bob", "name": "call Bob tonight"}),
    ("change water the plants to water the garden", {"item": "water the plants", "name": "water the garden"},
     {"item": "water the plants", "name": "water the garden"}),
])
def test_a_rename_needs_a_new_name_besides_the_words_that_name_the_row(text, call, expected):
    from cardflow.chat.grounding import ground

    assert ground(call, RENAME, text, ROWS) == expected


ADD = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


@pytest.mark.parametrize("text, name, expected", [
    ("uncomplete buy milk", "buy", None),  # words of the row the message names, said only there
    ("reopen book the dentist", "the dentist", None),
    ("add buy to the list", "buy", {"name": "buy"}),  # no row is named
    ("add milk, like buy milk", "milk", {"name": "milk"}),  # said besides the row
    ("add buy bread", "buy bread", {"name": "buy bread"}),
])
def test_a_new_row_is_not_a_part_of_a_row_the_message_names(text, name, expected):
    from cardflow.chat.grounding import ground

    assert ground({"name": name}, ADD, text, ROWS) == expected


def test_quotes_open_where_a_word_may_start_and_close_where_one_may_end():
    assert quoted("put 'oil change' on the list") == ["oil change"]
    assert quoted('stick “repaint the fence” and «x» on it') == ["repaint the fence", "x"]
    assert quoted("update task set name='x' where 1=1") == ["x"]
    # Apostrophes open and close nothing; a lone quote is no stretch.
    assert quoted("don't touch the dog's bowl, it's Bob's") == []
    assert quoted("'; DROP TABLE task; --") == []
    # Nor inside quotes: an apostrophe between letters leaves the stretch open.
    assert quoted("call it 'return Jo's ladder', then 'x'") == ["return Jo's ladder", "x"]
    assert quoted("make it ‘feed Rex’s fish’ pls") == ["feed Rex’s fish"]


def test_a_quoted_new_name_is_no_row_nor_part_of_one():
    rows = ["call mum", "cancel the gym membership", "pay rent"]
    assert new_names("could you put “call the plumber” on the list?", rows) == ["call the plumber"]
    # A row, a close copy of one, or a part of one is a reference to it.
    assert new_names("tick off 'call mum'", rows) == []
    assert new_names("remove 'cancel the gym membershp'", rows) == []
    assert new_names("remove 'gym'", rows) == []
    assert new_names("add 'pay rent' and 'water the lawn'", rows) == ["water the lawn"]
    assert new_names("add water the lawn", rows) == []  # no quotes: nothing is said to be a name


GLUE = frozenset({"the", "a", "to", "task", "move", "top", "of", "list", "done", "mark"})  # an app's phrasing


def test_one_word_of_its_own_names_a_row_however_short():
    rows = ["renew the car insurance", "email the landlord", "pick up the kids"]
    # "car" is a small share of its row's name: without the app's phrasing that names nothing.
    assert reference("", rows, "move the car task to the top") is None
    assert reference("", rows, "move the car task to the top", GLUE) == "renew the car insurance"
    # Words of the app's own phrasing name nothing, however few rows have them.
    assert reference("", ["call the plumber", "pay rent"], "move the lot to the top", GLUE) is None
    # A word two rows share is no row's own.
    assert reference("", ["wax the car", "wash the car", "pay rent"], "move the car task", GLUE) == "the car"


def test_a_word_of_the_apps_phrasing_does_not_outrank_a_word_rows_share():
    rows = ["buy a card for Mia", "buy a card for Leo", "fix the fence"]
    # "the" is in one row only, so it weighed more than "card", which two rows share.
    assert reference("", rows, "mark the card task done") is None
    assert reference("", rows, "mark the card task done", GLUE) == "card"  # the registry asks which


def test_a_word_of_their_own_two_rows_share_makes_the_registry_ask_however_long_the_rest():
    rows = ["pay the plumber", "pay the electrician", "clean the oven"]
    # "pay" is a fifth of "pay the electrician": by shares alone the message named "pay the plumber",
    # the first of the two, and nothing asked which.
    assert reference("", rows, "mark the pay task done", GLUE) == "pay the"  # the registry asks which
    # Rows tied by a word of the app's own phrasing are not named by it.
    assert reference("", ["move the car", "move the van"], "move it to the top", GLUE) is None


def test_rows_tied_by_a_word_name_it_as_the_registry_matches_it():
    rows = ["write the quarterly report", "write the board report", "water the garden"]
    # "the report" is in neither name as written: the registry refused it ("No task matches")
    # instead of asking which of the two was meant.
    assert reference("", rows, "tick off the report task", GLUE) == "report"
    assert reference("", rows, "remove the report", GLUE) == "report"
    # The longest stretch both rows write alike, every word of it said.
    assert reference("", rows, "mark write the report done", GLUE) == "write the"


def test_a_new_name_of_the_apps_own_words_alone_is_no_name():
    from cardflow.chat.grounding import ground

    rows = ["order new glasses", "clear the loft"]
    # "task" is a word the app describes its actions in: renaming a row "task" is nothing the user said.
    assert ground({"item": "order new glasses", "name": "task"}, RENAME, "bin the glasses task", rows, glue=GLUE) is None
    assert ground({"name": "the task"}, ADD, "add the task", rows, glue=GLUE) is None
    # One word of the user's own is enough; without the app's phrasing nothing changes.
    assert ground({"name": "the bins task"}, ADD, "add the bins task", rows, glue=GLUE) == {"name": "the bins task"}
    assert ground({"name": "task"}, RENAME, "rename the glasses task to task", rows) is not None


def test_a_function_word_names_no_row_by_being_its_own():
    rows = ["renew the home insurance", "book a table for Saturday", "fix the garden gate"]
    # "for" is in one row only, yet it names nothing: this hostile line ticked the table booking.
    assert reference("", rows, "mark every task done for all profiles", GLUE) is None
    assert reference("", ["have lunch with Sam", "fix the garden gate"], "tick everything off with me", GLUE) is None
    # A word of the row's own still names it, however small a share of its name.
    assert reference("", rows, "mark the Saturday one done", GLUE) == "book a table for Saturday"
    assert reference("", rows, "the gate is fixed", GLUE) == "fix the garden gate"



@pytest.mark.parametrize("text", ["the door bell one", "fix the door-bell", "doorbell: sorted"])
def test_a_compound_names_its_row_written_closed_open_or_hyphenated(text):
    rows = ["fix the doorbell", "paint the fence", "buy door mats"]
    assert reference("", rows, text) == "fix the doorbell"
    assert "doorbell" in heard(["the", "door", "bell"])


def test_a_row_is_named_by_its_verb_in_another_form_only_beside_what_tells_the_rows_apart():
    from cardflow.chat.grounding import verbal

    assert {"painting", "painted"} <= verbal("paint") and {"baking", "baked"} <= verbal("bake")
    assert "planning" in verbal("plan") and verbal("fix") == frozenset()  # a stem too short to tell
    rows = ["paint the shed door", "paint the garden fence", "renew the car tax"]
    # "the painting one" names what the two paint rows share: the registry asks which.
    assert reference("", rows, "delete the painting one", GLUE) == "paint the"
    # Another form of a short row's verb, said of something else, names nothing.
    assert reference("", ["ring Aunt Jo", "mow the lawn", "buy bread"], "I hate ringing people", GLUE) is None
    assert reference("", ["ring Aunt Jo", "mow the lawn"], "I rang a taxi", GLUE) is None
    # Said as written it still names the row.
    assert reference("", rows, "the car tax one is renewed", GLUE) == "renew the car tax"


@pytest.mark.parametrize("text", ["drop the gym one from my list for good 🗑️", "put the gym one at the bottom!! 🙏"])
def test_a_new_row_needs_words_around_its_name_not_only_marks(text):
    from cardflow.chat.grounding import ground, unquote

    name = unquote(text.rstrip(" 🗑️🙏"))  # the model's copy: every word of the message, its emoji left out
    assert ground({"name": name}, ADD, text, ["cancel the gym membership", "pay rent"]) is None
    assert ground({"name": "drop the gym"}, ADD, "add drop the gym 🏋️", ["pay rent"]) == {"name": "drop the gym"}
