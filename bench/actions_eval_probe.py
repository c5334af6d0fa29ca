"""The "probe" eval set: written on 2026-12-04 (night) before any of it was run, to test what the
other sets leave out.

- **Ticks in other words** on tasks not seen before ("check off call mum", "the sink is fixed").
- **Requests to the assistant** that are no request to the app: some name no task ("write me a poem
  about cats"), some a task's words ("explain how to fix the sink", "help me write the report").
  The other sets' non-commands are mostly remarks and questions; these ask the assistant to do
  something, so the model reads them as requests.
- **Remarks about a task's subject** ("chapter 3 was boring", "my mum called earlier").
- **Positions said as ordinals** ("move walk the dog to 2nd place").

Its first run, on the code before the ordinal change (values.NUMBER), is in docs/assistant.md.
Same format as actions_eval_new.py: ``(text, expect, kind, seed)``; ``("position", row, n)``
expects the row at position n.
"""

from __future__ import annotations

HOME = [("pay rent", False), ("call mum", False), ("fix the sink", False), ("walk the dog", False),
        ("read chapter 3", False)]
OLD = [("buy milk", False), ("call Bob", False), ("water the plants", False), ("write the report", False),
       ("book the dentist", False)]
SEEDS: dict[str, list[tuple[str, bool]]] = {"home": HOME, "old": OLD}

TICKS = [("check off call mum", "call mum"), ("walk the dog: finished", "walk the dog"),
         ("fix the sink is sorted", "fix the sink"), ("check fix the sink", "fix the sink"),
         ("tick walk the dog", "walk the dog"), ("mark off pay rent", "pay rent"), ("call mum - done", "call mum"),
         ("cross off read chapter 3", "read chapter 3"), ("read chapter 3 is finished now", "read chapter 3"),
         ("paid the rent", "pay rent"), ("the sink is fixed", "fix the sink"), ("done: walk the dog", "walk the dog")]
REMARKS = ["explain how to fix the sink", "help me pay rent on time", "tell mum I said hi", "walk the dog with me",
           "I love reading chapter 3", "the dog needs a walk soon", "give me ideas to fix the sink",
           "my mum called earlier", "the rent is so high", "chapter 3 was boring", "I hate fixing things",
           "show me how to call mum on video"]
REQUESTS = ["write me a poem about cats", "I'd like a cup of tea", "give me a fun fact", "please summarize the news",
            "help me plan my weekend", "tell me about the weather", "recommend a good book", "play some music",
            "translate hello into French", "say something nice", "let's talk about football", "cheer me up",
            "describe a sunset", "keep it short please", "count to five", "be more polite"]
ABOUT_ROWS = ["help me write the report", "tell me how to call Bob cheaply", "explain how to water the plants",
              "suggest a gift for Bob", "give me tips to book the dentist", "write a poem about milk",
              "remind me why I need to buy milk", "draft the report for me", "find me a good dentist",
              "tell me more about the report", "make the report sound better",
              "teach me to water the plants properly", "say hi to Bob for me", "explain the report",
              "summarize the report", "describe the plants"]
ORDINALS = [("move walk the dog to 2nd place", "walk the dog", 2), ("put read chapter 3 in 3rd place", "read chapter 3", 3),
            ("make pay rent the 4th task", "pay rent", 4), ("move call mum to position 2", "call mum", 2)]

ROWS: list[tuple[str, tuple, str, str]] = [
    *((text, ("done", row), "command", "home") for text, row in TICKS),
    *((text, ("same",), "chatter", "home") for text in REMARKS),
    *((text, ("same",), "chatter", "old") for text in REQUESTS + ABOUT_ROWS),
    *((text, ("position", row, n), "command", "home") for text, row, n in ORDINALS),
    ("move read chapter 3 to the top", ("top", "read chapter 3"), "command", "home"),
]
