"""The assistant's choice on the embedded model: batched scoring with kept prompts vs one at a time.

    python bench/scorer.py [--messages 12]

For the Tasks app's real choice prompts (chat/choice.py: the 13 "The user asks you to …" prompts
and the "… I will" options), each message is scored two ways in the same run, alternating:
``BatchScorer`` as the backend uses it (prompts kept between messages, every text in one decode),
and the baseline: the same scorer asked one (prompt, text) pair at a time with nothing kept,
which is what evaluating them one after another costs. Prints the time per message and the ratio.

A second pair, also alternating: the same batched scoring on the file the backend runs (the
shipped weights stored as Q8_0, chat/backends/model_file.py) against the shipped Q4_1 file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MESSAGES = ["remove the milk task", "hello there", "what is on my list?", "I paid the gas bill",
            "rename call Bob to call Bob at five", "put the plants first", "add buy stamps",
            "how are you?", "tick off the dentist", "delete call Bob", "show everything", "thanks!"]


def measure(count: int) -> tuple[list[float], list[float], list[float], int]:
    from cardflow.app import build_app
    from cardflow.chat import choice
    from cardflow.chat.backends import EmbeddedBackend, embedded_available, find_gguf
    from cardflow.chat.backends import scorer as scorer_module
    from cardflow.chat.intent_prompt import offerable
    from cardflow.config import Settings

    ok, why = embedded_available()
    if not ok:
        raise SystemExit(f"The embedded model is not installed: {why}")
    backend = EmbeddedBackend(idle_timeout=600)
    backend._load_scorer()
    fmt = backend._format
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Settings(data_dir=Path(tmp), open_browser=False, llm="embedded"))
        actions = offerable(app.state.ctx.actions.for_app("tasks"))
    system = choice.system_text("Tasks", "task", ["buy milk", "call Bob", "water the plants", "book the dentist"])
    contexts = choice.expectations(system, actions)
    sentences = [" " + s for _, s in choice.options(actions)]

    def pairs(text: str) -> list[tuple[str, str, str]]:
        """(prompt, text, end of turn) as the backend scores them: its direct reading, then its channel."""
        direct = fmt(messages=choice.said(system, text)).prompt + choice.LEAD
        out = [(direct, s, "") for s in sentences]
        for messages in contexts:
            whole = fmt(messages=[*messages, {"role": "user", "content": "\x00"}]).prompt
            head, _, tail = whole.partition("\x00")
            out.append((head, text, tail))
        return out

    def batch(scorer: scorer_module.BatchScorer, items: list[tuple[str, str, str]]) -> None:
        """One call per reading, as EmbeddedBackend.score and score_turns make them."""
        for tail in dict.fromkeys(t for _, _, t in items):
            scorer.score([(h, x) for h, x, t in items if t == tail], tail=tail)

    kept = backend._load_scorer()
    single = scorer_module.BatchScorer(backend._llm, kept._ctx.params.n_threads)
    shipped = EmbeddedBackend(model_path=find_gguf(), idle_timeout=600)._load_scorer()
    batch(kept, pairs("N/A"))  # the prompts kept, as after an app switch
    batch(shipped, pairs("N/A"))
    batched, alone, original = [], [], []
    for i in range(count):
        text = MESSAGES[i % len(MESSAGES)]
        started = time.perf_counter()
        batch(kept, pairs(text))
        batched.append(time.perf_counter() - started)
        started = time.perf_counter()
        batch(shipped, pairs(text))
        original.append(time.perf_counter() - started)
        started = time.perf_counter()
        for item in pairs(text):
            for slot in range(scorer_module.SLOTS):  # nothing kept: each pair from scratch
                single._clear(slot)
            batch(single, [item])
        alone.append(time.perf_counter() - started)
    single.close()
    return batched, alone, original, len(pairs("x"))


def run(count: int = 12) -> list:
    """The `make bench` section."""
    from bench.common import Row

    batched, alone, original, texts = measure(count)
    b, a, o = statistics.median(batched), statistics.median(alone), statistics.median(original)
    return [Row(f"assistant choice, {texts} scored texts a message: batched, prompts kept",
                f"{b * 1000:.0f} ms", f"{a * 1000:.0f} ms one at a time", f"{b / a:.2f}×"),
            Row("the same on the Q8_0 copy the backend runs, against the shipped Q4_1 file",
                f"{b * 1000:.0f} ms", f"{o * 1000:.0f} ms on Q4_1", f"{b / o:.2f}×")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=12)
    args = parser.parse_args()
    batched, alone, original, texts = measure(args.messages)
    b, a, o = statistics.median(batched), statistics.median(alone), statistics.median(original)
    print(f"{texts} scored texts a message (median of {args.messages}): batched {b * 1000:.0f} ms, one at a time {a * 1000:.0f} ms, "
          f"ratio {b / a:.2f}×")
    print(f"batched on the shipped Q4_1 file {o * 1000:.0f} ms: the Q8_0 copy takes {b / o:.2f}× that")


if __name__ == "__main__":
    main()
