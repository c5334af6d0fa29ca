"""A new name is picked among the stretches of the user's own words (chat/spans.py)."""

from __future__ import annotations

import asyncio
import json

import pytest

from cardflow.chat import spans


def test_candidates_are_whole_word_stretches_unquoted_and_kept_literally():
    found = spans.candidates("add 'review <b>Q4</b> numbers' please")
    assert "review <b>Q4</b> numbers" in found  # the quotes go, the markup stays as written
    assert "review" in found and "please" not in found  # a word of courtesy is no name (spans.COURTESIES)
    assert "'review <b>Q4</b> numbers'" not in found and "'review" not in found  # wrapping or lone quotes
    assert "call Bob" not in spans.candidates("rename call Bob to call Bob tomorrow", exclude=["CALL BOB"])
    assert spans.candidates("   ") == []
    # The words that name the row being renamed are no new name; its name said again may be.
    renamed = spans.candidates("change buy milk powder to buy milk", row="buy milk powder")
    assert {"buy milk", "to buy milk"} <= set(renamed)
    assert not {"change", "milk powder", "buy milk powder", "milk powder to buy milk"} & set(renamed)
    assert spans.candidates("remove 'cancel the gym membership'", row="cancel the gym membership") == []
    # Its whole name with more, where the words before named the row already: its name extended.
    assert "return the books by Friday" in spans.candidates("rename the books task: return the books by Friday",
                                                            row="return the books")
    assert "call Bob tomorrow" in spans.candidates("rename call Bob to call Bob tomorrow", row="call Bob")
    # Where the row's name is not written whole, the first run of its words names it, not a longer
    # run inside the new name that repeats them.
    assert "donate the old books and toys to the library" in spans.candidates(
        "edit the library task: donate the old books and toys to the library",
        row="donate the old books to the library")
    assert "water the garden" in spans.candidates("change water to water the garden", row="water the plants")
    many = spans.candidates(" ".join(f"w{i}" for i in range(60)))
    assert len(many) == spans.MAX_CANDIDATES and max(len(c.split()) for c in many) <= spans.MAX_WORDS


def test_the_value_is_scored_inside_the_call_as_the_prompt_writes_it():
    before, after = spans.call_with_mark("tasks.update", {"item": "call “Bob”"}, "name")
    assert before == '{"intent": "request", "action": "tasks.update", "params": {"item": "call “Bob”", "name": "'
    assert after == '"}}'
    assert json.loads(before + "x" + after)["params"]["name"] == "x"


class Fake:
    """Scores each option by a table keyed on the candidate; records how it was asked."""

    def __init__(self, table):
        self.table, self.asked = table, []

    async def score(self, messages, lead, options, *, per_token=False):
        self.asked.append((lead, options, per_token))
        return [self.table.get(json.loads('"' + o.rsplit('"}}', 1)[0] + '"'), -9.0) for o in options]


def test_the_best_scoring_stretch_wins_by_its_mean_per_token():
    backend = Fake({"call Bob tomorrow": -1.0, "Bob": -1.5})
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "call Bob"}, "name",
                                   "rename call Bob to call Bob tomorrow", ["call Bob"]))
    assert found == "call Bob tomorrow"
    lead, options, per_token = backend.asked[0]
    assert per_token and lead.endswith('"name": "') and all(o.endswith('"}}') for o in options)


def test_a_quote_inside_a_name_is_scored_as_json_escapes_it():
    # A lone inch mark: no stretch in quotes (those delimit the value: the next test).
    backend = Fake({'cut the 12" board': 0.0})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", 'add cut the 12" board')) \
        == 'cut the 12" board'
    assert any(o.startswith('cut the 12\\" board') for o in backend.asked[0][1])


def test_a_stretch_in_quotes_is_the_value_without_asking_the_model():
    text = 'change the tent one to say "pack the tent by the weekend"'
    # It holds the row's whole name and more: a candidate, though "the tent one" did not name the row.
    assert "pack the tent by the weekend" in spans.candidates(text, ["pack the tent"], "pack the tent")
    backend = Fake({"by the weekend": 0.0})  # the model's reading prefers the tail
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "pack the tent"}, "name", text,
                                  ["pack the tent"], "by the weekend", "pack the tent")) \
        == "pack the tent by the weekend"
    assert backend.asked == []
    # Several in quotes: the model picks among them only.
    backend = Fake({"buy flour": -1.0, "flour": 0.0})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", 'add "buy eggs" or "buy flour"')) \
        == "buy flour"
    scored = {json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]}
    assert scored == {"buy eggs", "buy flour"}


def test_no_words_no_pick():
    assert asyncio.run(spans.pick(Fake({}), [], "tasks.add", {}, "name", "  ")) is None


def test_only_stretches_sharing_a_word_with_the_models_own_value_are_scored():
    backend = Fake({"call Bob tomorrow": -1.0})
    text = "please rename call Bob to call Bob tomorrow, thanks"
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "call Bob"}, "name", text,
                                   ["call Bob"], near="Bob"))
    assert found == "call Bob tomorrow"
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert all("bob" in s.casefold() for s in scored) and "thanks" not in scored
    # A value sharing no word with the message: every stretch is a candidate again.
    backend = Fake({"groceries": 0.0})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add groceries", near="zzz")) == "groceries"


def test_the_whole_message_is_never_a_candidate_so_the_models_own_stretch_can_win():
    text = "“remind me to take out the bins.”"
    found = spans.candidates(text)
    assert "remind me to take out the bins" not in found  # quotes and end mark off, still the whole message
    assert "take out the bins" in found and "remind me to take out the" in found
    # The whole message, scored best, used to win and then be refused as a name: now the next one does.
    backend = Fake({"remind me to take out the bins": -0.1, "take out the bins": -0.5})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", text, near="take out the bins")) \
        == "take out the bins"
    assert asyncio.run(spans.pick(Fake({}), [], "tasks.add", {}, "name", "bins")) is None  # one word: nothing left


def test_only_stretches_around_the_models_own_copy_are_scored():
    text = "edit the Lisbon task so it reads book a train to Lisbon"
    backend = Fake({"book a train to Lisbon": -0.5})
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "book flights to Lisbon"}, "name", text,
                                   ["book flights to Lisbon"], near="a train to Lisbon"))
    assert found == "book a train to Lisbon"  # a word the model dropped is still a candidate
    scored = {json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]}
    assert "the Lisbon" not in scored and "edit the Lisbon task" not in scored  # a shared word far away
    assert len(scored) < len([c for c in spans.candidates(text) if "lisbon" in c.casefold() or "a" in c.split()])
    # Said twice, the copy stands in both places.
    assert {"call Bob", "call Bob tomorrow"} <= spans.around("rename call Bob to call Bob tomorrow", "Bob")
    assert spans.around("add milk", "zzz") == set()


def test_a_copy_of_the_row_being_renamed_does_not_narrow_the_stretches():
    # The model wrote the old name: where that stands says nothing of where the new name is.
    backend = Fake({"pay the electricity bill": -0.5})
    text = "rename pay the gas bill to pay the electricity bill"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "pay the gas bill"}, "name", text,
                                  ["pay the gas bill"], near="pay the gas bill")) == "pay the electricity bill"


def test_only_a_copy_of_the_users_words_says_where_the_name_stands():
    # The model wrote "add to list of tasks" for "add mark the exams": only its "add" is in the
    # message. Kept to the stretches around that "add", the pick was "add"; every stretch is scored.
    backend = Fake({"mark the exams": -1.2, "add": -2.4, "exams": -2.2})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add mark the exams",
                                  near="add to list of tasks")) == "mark the exams"
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert "mark the exams" in scored and "exams" in scored
    # A copy, every word of it said, still keeps the pick around it.
    backend = Fake({"mark the exams": -1.2, "add": -2.4})
    asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add mark the exams please", near="exams"))
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert "add" not in scored and all("exams" in s for s in scored)


def test_a_rename_whose_model_copied_only_the_rows_words_has_no_new_name():
    # The message writes the row and nothing that could rename it: the leftover word is no name.
    backend = Fake({"remove": 0.0})
    text = "remove 'cancel the gym membership'"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "cancel the gym membership"}, "name", text,
                                  ["cancel the gym membership"], near="cancel the gym membership",
                                  row="cancel the gym membership")) is None
    assert backend.asked == []
    # The row written, then a new name that shares the model's words: that one.
    backend = Fake({"book flights to Porto": -0.5, "flights to Porto": -0.9})
    text = "change book flights to Lisbon to book flights to Porto"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "book flights to Lisbon"}, "name", text,
                                  ["book flights to Lisbon"], near="book flights",
                                  row="book flights to Lisbon")) == "book flights to Porto"

    # The model copied the row itself and the message says more after it: every stretch is scored
    # ("can you rename redirect the post to set up Royal Mail redirection" had been answered in words).
    backend = Fake({"set up Royal Mail redirection": -0.5, "Royal Mail": -0.9})
    text = "can you rename forward the post to set up Royal Mail redirection"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "forward the post"}, "name", text,
                                  ["forward the post"], near="forward the post",
                                  row="forward the post")) == "set up Royal Mail redirection"
    # Stretches that share the copied row's words are still the ones scored: "hob" reads better alone.
    backend = Fake({"hob": -0.2, "clean the oven and hob": -0.6})
    text = "rename clean the oven to clean the oven and hob"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "clean the oven"}, "name", text,
                                  ["clean the oven"], near="clean the oven",
                                  row="clean the oven")) == "clean the oven and hob"


class Rereading(Fake):
    """Also reads a message as the user's own (``score_said``), by a table keyed on the text."""

    def __init__(self, table, said):
        super().__init__(table)
        self.said, self.reread = said, []

    async def score_said(self, messages, texts):
        self.reread.append((messages, texts))
        return [self.said.get(t, -9.0) for t in texts]


def test_the_best_stretches_are_read_again_as_the_message_with_a_row_in_their_place():
    text = "can you add a task to call the insurance company"
    # The call's reading likes the object the model would have written itself.
    table = {"insurance company": -0.5, "call the insurance company": -0.9, "the insurance company": -0.8}
    # Only the whole name, swapped for a row the user has, leaves a message that reads as one.
    said = {"can you add a task to water the plants": -1.0, "can you add a task to call the water the plants": -3.0,
            "can you add a task to call water the plants": -2.5}
    backend = Rereading(table, said)
    found = asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", text, stand_in="water the plants",
                                   system="You are the assistant of the Tasks app."))
    assert found == "call the insurance company"
    messages, texts = backend.reread[0]
    assert messages == [{"role": "system", "content": "You are the assistant of the Tasks app."}]
    assert len(texts) == spans.SHORTLIST and "can you add a task to water the plants" in texts
    # Without a row to stand in, or on a backend that cannot read a message, the call's reading decides.
    assert asyncio.run(spans.pick(Rereading(table, said), [], "tasks.add", {}, "name", text)) == "insurance company"
    assert asyncio.run(spans.pick(Fake(table), [], "tasks.add", {}, "name", text,
                                  stand_in="water the plants")) == "insurance company"


def test_said_as_swaps_the_first_place_the_stretch_stands():
    assert spans.said_as("add 'Mow the lawn' to my list", "mow the lawn", "pay rent") == "add 'pay rent' to my list"
    assert spans.said_as("rename a to a b", "a b", "X") == "rename a to X"
    assert spans.said_as("nothing here", "absent", "X") == "nothing here"


def test_a_row_named_by_its_words_not_written_whole_still_comes_before_the_new_name():
    row = "submit the expense report"
    found = spans.candidates("reword the expense report task to file the expense report", [row], row)
    # The words naming the row are no new name, nor anything before them.
    assert "file the expense report" in found and "to file the expense report" in found
    assert not any("reword" in c or "report task" in c for c in found)
    # One of its words is enough to say where it is named.
    assert "buy soy milk" in spans.candidates("change the milk task to buy soy milk", ["buy milk"], "buy milk")
    assert "the milk task" not in spans.candidates("change the milk task to buy soy milk", ["buy milk"], "buy milk")


def test_a_new_name_has_all_of_a_rows_name_the_message_writes_or_none_of_it():
    found = spans.candidates("teach me to water the plants properly", ["water the plants", "buy milk"])
    assert "teach me to water" not in found and "plants properly" not in found and "the plants" not in found
    assert {"teach me to water the plants", "water the plants properly", "teach me"} <= set(found)
    # Each place it is written: "Bob tomorrow" cuts the second "call Bob" apart.
    renamed = spans.candidates("rename call Bob to call Bob tomorrow", ["call Bob"], "call Bob")
    assert "call Bob tomorrow" in renamed and "Bob tomorrow" not in renamed


def test_a_stretch_before_the_words_naming_the_row_is_outside_where_a_new_name_may_stand():
    row = "water the plants"
    text = "remind me to book the vet for Rex, the plants can wait"
    assert spans.outside(text, "book the vet for Rex", [row], row)  # before "plants", which names the row
    assert not spans.outside(text, "can wait", [row], row)  # after it
    assert not spans.outside(text, "feed the cat", [row], row)  # not written at all: grounding's to judge
    assert not spans.outside("rename the plants one to water the plants twice", "water the plants twice", [row], row)


def test_a_name_neither_opens_nor_closes_with_a_word_of_courtesy_unless_quoted_so():
    found = spans.candidates("add collect the suit from the tailor pls, thanks")
    assert "collect the suit from the tailor" in found
    assert not [c for c in found if c.split()[-1].strip(",") in ("pls", "thanks") or c.startswith(("pls", "thanks"))]
    assert "please collect the suit" not in spans.candidates("could you add please collect the suit")
    # Quoted so, it is the name as written.
    assert "say thanks" in spans.candidates("add 'say thanks' to my list")


def test_a_name_that_extends_the_row_starts_after_the_words_that_named_it():
    row = "send Gran's birthday card"
    found = spans.candidates("rename gran's card to send Gran's birthday card and flowers", [row], row)
    assert "send Gran's birthday card and flowers" in found
    assert not [c for c in found if c.lower().startswith(("rename", "gran's", "card"))]
    # Named before by words that are not the row's own ("the library task"), the name may open after them.
    row = "return the library books"
    found = spans.candidates("rename the library task: return the library books by Friday", [row], row)
    assert "return the library books by Friday" in found and "rename the library task: return" not in " ".join(found)


def test_a_name_does_not_end_by_saying_where_it_goes_in_the_apps_own_words():
    glue = {"list", "task", "tasks", "top", "add"}
    found = spans.candidates("Add sort out the loft to my to-do list", glue=glue)
    assert "sort out the loft" in found
    assert not [c for c in found if "loft" in c and c.endswith("list")]
    assert "buy milk" in spans.candidates("put buy milk on the list", glue=glue)
    assert "buy milk on the list" not in spans.candidates("put buy milk on the list", glue=glue)
    assert "buy milk on the list" not in spans.candidates("add buy milk onto my todo list", glue=glue)  # "todo": two
    # Words that are not the app's own stay: a place in the world, a phrasal verb, a quoted name.
    assert "move the boxes to the top shelf" in spans.candidates("add move the boxes to the top shelf", glue=glue)
    assert "check in" in spans.candidates("add check in for the flight", glue=glue)
    assert "talk to the team" in spans.candidates("add talk to the team", glue=glue)
    assert "buy milk on the list" in spans.candidates("add 'buy milk on the list'", glue=glue)
    # Without the app's phrasing, every stretch as before.
    assert "sort out the loft to my to-do list" in spans.candidates("Add sort out the loft to my to-do list")


def test_a_new_name_for_a_row_is_not_in_a_clause_after_the_one_naming_it_unless_quoted():
    row = "book the boiler service"
    assert spans.candidates("drop the boiler service, the landlord is sorting it", [row], row) == []
    assert spans.outside("drop the boiler service, the landlord is sorting it", "landlord is sorting it", [row], row)
    found = spans.candidates("change the boiler service to call the landlord, he is sorting it", [row], row)
    assert "call the landlord" in found  # in the row's clause; what follows is the model's to leave out
    # A colon or a dash introduces the new name; quoted, it is the name wherever it stands.
    assert "get it serviced in May" in spans.candidates("the boiler one: get it serviced in May", [row], row)
    assert "book it for May" in spans.candidates("the boiler service, can you call it 'book it for May'", [row], row)


def test_a_message_that_takes_something_off_the_list_in_the_apps_words():
    glue = {"list", "task", "tasks"}
    assert spans.takes_off("take the library book off my list", glue)
    assert spans.takes_off("get the gym one off the to-do list please, I quit", glue)
    assert spans.takes_off("remove it from my tasks.", glue)
    assert not spans.takes_off("add pick up the meds from the pharmacy", glue)  # a place in the world
    assert not spans.takes_off("add take the bins off the drive", glue)
    assert not spans.takes_off("add buy milk to my list", glue)
    assert not spans.takes_off("take the library book off my list", ())  # without the app's words, nothing


def test_a_name_does_not_open_the_message_with_the_actions_own_verb_unless_quoted():
    found = spans.candidates("add <b>urgent</b> fix the gate latch", verb="add")
    assert "<b>urgent</b> fix the gate latch" in found and not [c for c in found if c.startswith("add")]
    assert "add <b>urgent</b>" in spans.candidates("add <b>urgent</b> fix the gate latch")  # no verb given
    # Later in the message, or quoted, it is a word of the name.
    assert "add up the receipts" in spans.candidates("remind me to add up the receipts", verb="add")
    assert "add the numbers" in spans.candidates("'add the numbers' on my list pls", verb="add")


def test_the_apps_own_words_alone_are_no_new_name_nor_say_where_one_stands():
    glue = {"list", "task", "tasks", "new", "add"}
    found = spans.candidates("new todo: defrost the freezer", glue=glue)
    assert "defrost the freezer" in found and not {"new todo", "todo", "new"} & set(found)
    assert "new todo" in spans.candidates("new todo: defrost the freezer")  # without the app's phrasing

    class Scores:
        async def score(self, messages, lead, options, per_token=False):
            self.options = options
            return [0.0 if o.startswith("wipe down the patio furniture\"") else -5.0 for o in options]

    backend = Scores()
    text = "new to-do — wipe down the patio furniture"
    picked = asyncio.run(spans.pick(backend, [{"role": "user", "content": text}], "tasks.add", {}, "name", text,
                                    near="new to-do", glue=glue))
    assert picked == "wipe down the patio furniture"  # every stretch scored: the copy was the heading


def test_a_new_name_runs_on_past_no_sentence_end_nor_into_a_clause_about_the_list():
    glue = frozenset({"task", "tasks", "list", "add", "one", "done", "mark", "to-do"})
    # A rename chosen for a request to reopen: past "?" is another sentence.
    found = spans.candidates("can u set book the van back to to-do? turns out we need a bigger one",
                             row="book the van", glue=glue, verb="rename")
    assert found and not any("?" in c or "turns" in c for c in found)
    # Into a clause that speaks of the list, in the app's words: the name was said before it.
    found = spans.candidates("need to give the neighbours our new address, pop that on my list", glue=glue)
    assert "give the neighbours our new address" in found and not any("address, pop" in c for c in found)
    assert "buy batteries" in spans.candidates("I need to remember to buy batteries, add it", glue=glue)
    assert not any("batteries, add" in c for c in spans.candidates("remember to buy batteries, add it", glue=glue))
    # A comma of the name's own, before no such clause, still runs on; so does a quoted name.
    assert "buy milk, eggs and bread" in spans.candidates("add buy milk, eggs and bread", glue=glue)
    assert "wow! a task" in spans.candidates("add 'wow! a task' to my list", glue=glue)


def test_a_new_name_runs_past_a_comma_only_into_the_last_part_of_a_list():
    glue = frozenset({"task", "tasks", "list", "add", "one", "done", "mark", "to-do"})
    # A reason in a clause of its own is no part of the name, whatever opens it.
    for text, name in [("remind me to buy suncream, we're completely out", "buy suncream"),
                       ("Add a task to arrange the club for Tuesdays, the school emailed", "arrange the club for Tuesdays"),
                       ("add renew the passport. It expires in May", "renew the passport")]:
        found = spans.candidates(text, glue=glue, verb="add")
        assert name in found and not any(name + "," in c or name + "." in c for c in found), text
    # A list's commas, with "and" or "or" before its last part, are the name's own.
    assert "call Ann, Bo or Cy" in spans.candidates("add call Ann, Bo or Cy", glue=glue)
    assert "buy milk, eggs, flour and bread" in spans.candidates("add buy milk, eggs, flour and bread", glue=glue)
    # So is an abbreviation's full stop.
    assert "call Dr. Patel about the rash" in spans.candidates("add call Dr. Patel about the rash", glue=glue)
    # A clause in the app's words ends the name even when it joins with "and".
    found = spans.candidates("add fix the gate, add it and tick it", glue=glue)
    assert "fix the gate" in found and not any("gate, add" in c for c in found)


def test_a_new_name_neither_opens_nor_ends_with_symbols_alone():
    found = spans.candidates("new task: exchange euros for the holiday 💶", verb="add")
    assert "exchange euros for the holiday" in found and not any("💶" in c for c in found)
    assert "new task: exchange euros for the holiday" not in found  # the whole message, its emoji aside
    found = spans.candidates("✅ → add water the plants", verb="add")
    assert "water the plants" in found and not any("→" in c or "✅" in c for c in found)
    # Inside a name, or quoted, a symbol is kept as written.
    assert "pay £50 → Sam" in spans.candidates("add pay £50 → Sam", verb="add")
    assert "ship it 🚀" in spans.candidates("add 'ship it 🚀'", verb="add")


def test_no_new_name_is_in_a_clause_after_one_naming_an_existing_row():
    rows = ["net the brassicas", "buy milk"]
    text = "get rid of net the brassicas, the pigeons already won lol"
    found = spans.candidates(text, rows, verb="add", named="net the brassicas")
    assert not any("pigeons" in c for c in found)
    assert any("pigeons" in c for c in spans.candidates(text, rows, verb="add"))  # without the row named
    # Before it, or quoted, a new name stands as before.
    found = spans.candidates("add feed the cat, then net the brassicas", rows, verb="add", named="net the brassicas")
    assert "feed the cat" in found
    found = spans.candidates("net the brassicas is done, add 'hoe the leeks'", rows, verb="add", named="net the brassicas")
    assert "hoe the leeks" in found


def test_the_apps_word_after_the_rows_name_names_the_row_too():
    glue = frozenset({"task", "tasks", "list", "one"})
    found = spans.candidates("please reopen the freezer task, it's iced up again", row="Defrost the freezer",
                             glue=glue, verb="rename")
    assert found == []  # "task, it's iced up again" and the clause after it are no new name
    found = spans.candidates("rename the van one to Book the Luton van", row="Book the removal van", glue=glue)
    assert "Book the Luton van" in found and not any(c.startswith("one") for c in found)


def test_a_quoted_new_text_is_the_only_new_name():
    rows = ["Return the spare keys to the landlord", "Defrost the freezer"]
    text = 'Stick "Clean the oven before handover" on there, the landlord is fussy about it'
    assert spans.quotes_another(text, "fussy about it", rows)
    assert not spans.quotes_another(text, "Clean the oven before handover.", rows)
    # A quote that names a row is a reference, not a new text: the name may be elsewhere.
    assert not spans.quotes_another("rename 'defrost the freezer' to defrost and clean the freezer",
                                    "defrost and clean the freezer", rows)
    assert not spans.quotes_another("add clean the oven", "clean the oven", rows)


def test_a_new_name_does_not_open_with_the_user_speaking_of_themselves():
    found = spans.candidates("I need to pick up my glasses, add that to the list", glue=frozenset({"add", "list"}))
    assert "pick up my glasses" in found and not any(c.lower().startswith(("i ", "i'")) for c in found)
    assert not any(c.startswith("we") for c in spans.candidates("we're out of milk so add buy milk"))
    # Markup that opens with the letter is no pronoun, and a quoted name is as written.
    assert "<i>urgent</i> call the bank" in spans.candidates("add <i>urgent</i> call the bank")
    assert "I Spy night" in spans.candidates("add 'I Spy night' to my list")
    # Nor with a semi-modal of need, its subject left out; a verb that only starts the same stays.
    for text, name in [("need to reorder vanilla pods, can u add that", "reorder vanilla pods"),
                       ("have to renew the car tax, add it", "renew the car tax"),
                       ("must call the bank - add it", "call the bank")]:
        found = spans.candidates(text, glue=frozenset({"add"}))
        assert name in found and not any(c.lower().startswith(("need to", "have to", "must ")) for c in found), text
    assert "have the boiler serviced" in spans.candidates("add have the boiler serviced")
    assert "needle the felt" in spans.candidates("add needle the felt")


@pytest.mark.parametrize(("text", "starts"), [
    ("I have to order printer ink, put it on the list", ["order"]),
    ("Remind me to ask Maureen about her spare canes", ["ask"]),
    ("I need to remember to buy batteries, add it", ["remember", "buy"]),  # chained by "to"
    ("must call the bank - add it", ["call"]),
    ("add buy milk", []),
    ("we're out of milk", []),
])
def test_where_a_thing_the_user_is_to_do_starts(text, starts):
    assert [text[at:].split()[0] for at in spans.todo_starts(text)] == starts


def test_a_new_row_the_user_is_to_do_starts_where_saying_so_ends():
    # The model's copy is the object alone, and it scores best where the stretches are not kept to
    # those starting after "remind me to": the name keeps its verb.
    text = "Remind me to ask Maureen about her spare canes"
    backend = Fake({"Maureen": -0.1, "ask Maureen about her spare canes": -0.5, "ask Maureen": -0.9})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", text, near="Maureen")) \
        == "ask Maureen about her spare canes"
    assert all(o.split('"')[0].startswith("ask") for o in backend.asked[0][1])  # only those were scored
    # A name in quotes is the name, and a rename's new name is not chosen so.
    quoted_name = Fake({"book the vet": -0.1})
    assert asyncio.run(spans.pick(quoted_name, [], "tasks.add", {}, "name",
                                  "I need to sort the pets out, add 'book the vet'")) == "book the vet"
    renamed = Fake({"Maureen": -0.1, "ask Maureen": -0.5})
    assert asyncio.run(spans.pick(renamed, [], "tasks.update", {"item": "call Jo"}, "name",
                                  "rename call Jo to remind me to ask Maureen", ["call Jo"], near="Maureen",
                                  row="call Jo")) == "Maureen"
