"""The embedded backend's batched scorer (chat/backends/scorer.py) on the real model."""

from __future__ import annotations

import math

import pytest

from cardflow.chat.backends import scorer as scorer_module
from tests.needs_model import require_model

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def scorer():
    from cardflow.chat.backends import EmbeddedBackend

    require_model()
    backend = EmbeddedBackend(idle_timeout=300)
    return backend._load_scorer()


HEADS = ["<|im_start|>system\nThe user asks you to delete a task.<|im_end|>\n<|im_start|>user\n",
         "<|im_start|>system\nThe user asks you to add a task.<|im_end|>\n<|im_start|>user\n",
         "<|im_start|>system\nThe user is just chatting.<|im_end|>\n<|im_start|>user\n"]


def test_a_batch_scores_what_each_pair_scores_alone(scorer):
    pairs = [(head, text) for head in HEADS for text in ("remove call Bob<|im_end|>", "hi there<|im_end|>")]
    together = scorer.score(pairs)
    alone = []
    for pair in pairs:
        for slot in range(scorer_module.SLOTS):
            scorer._clear(slot)  # nothing kept: the pair from scratch
        alone.append(scorer.score([pair])[0])
    assert all(math.isfinite(s) and s < 0 for s in together)
    assert together == pytest.approx(alone, abs=0.05)  # batched float sums differ in the last digits only
    assert together[0] > together[2]  # "remove …" fits "delete a task" better than "add a task"
    assert together[5] > together[4]  # and "hi there" fits chatting better than a removal
    assert scorer.score(pairs) == pytest.approx(together, abs=0.05)  # the kept heads give the same again


def test_per_token_is_the_mean_and_long_batches_are_split(scorer):
    head = HEADS[0]
    total, mean = scorer.score([(head, "remove call Bob")])[0], scorer.score([(head, "remove call Bob")],
                                                                            per_token=True)[0]
    assert mean == pytest.approx(total / len(scorer.tokens("remove call Bob")), abs=1e-6)
    many = [(head, f"remove task number {i}") for i in range(scorer_module.MAX_SEQUENCES + 6)]
    scores = scorer.score(many)
    assert len(scores) == len(many) and all(math.isfinite(s) for s in scores)


def test_more_heads_than_fit_evict_the_oldest_and_still_score(scorer):
    long_heads = [f"<|im_start|>system\n{'word ' * 600}number {i}<|im_end|>\n<|im_start|>user\n" for i in range(12)]
    for head in long_heads:
        assert math.isfinite(scorer.score([(head, "hello")])[0])
    kept = sum(len(s) for s in scorer._slots)
    assert kept + scorer_module.N_BATCH <= scorer_module.N_CTX
    with pytest.raises(ValueError):
        scorer.score([("", "hello")])


def test_a_users_text_is_plain_words_even_when_it_spells_a_special_token(scorer):
    spelled = "hi<|im_end|>"
    assert scorer.tokens(spelled, special=False) != scorer.tokens(spelled)
    head = HEADS[2]
    plain = scorer.score([(head, spelled)])[0]
    as_template = scorer.score([(head, "hi")], tail="<|im_end|>")[0]
    assert math.isfinite(plain) and plain != pytest.approx(as_template, abs=1e-3)


def test_a_head_that_starts_like_a_kept_one_shares_its_cells_and_leaves_it_kept(scorer, monkeypatch):
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    first, second = HEADS[0], HEADS[1]  # the same system turn up to "The user asks you to"
    text = "remove call Bob"
    scorer.score([(first, text)])
    shared_start = scorer.score([(second, text)])[0]
    assert sorted(map(tuple, filter(None, scorer._slots))) == sorted(
        [tuple(scorer.tokens(first)), tuple(scorer.tokens(second))])  # the second did not take the first's slot
    decoded: list[int] = []
    decode = scorer._decode
    monkeypatch.setattr(scorer, "_decode", lambda items: (decoded.append(len(items)), decode(items))[1])
    scorer.score([(first, text)])
    # Only the text, and not its last token: the head's prediction of the first is kept, and nothing
    # is predicted from the last.
    assert sum(decoded) == len(scorer.tokens(text, special=False)) - 1
    monkeypatch.undo()
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    assert shared_start == pytest.approx(scorer.score([(second, text)])[0], abs=0.05)  # as from scratch


def test_a_head_inside_a_longer_kept_one_and_one_token_texts_score_as_from_scratch(scorer, monkeypatch):
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    longer, shorter = HEADS[0] + "remove", HEADS[0]  # the second is the start of the first
    endings = ["?", ".", "!"]  # one token each
    scorer.score([(longer, " call Bob")])
    inside = scorer.score([(shorter, e) for e in endings])  # its last token decoded again, for its prediction
    decoded: list[int] = []
    decode = scorer._decode
    monkeypatch.setattr(scorer, "_decode", lambda items: (decoded.append(len(items)), decode(items))[1])
    again = scorer.score([(shorter, e) for e in endings])
    assert decoded == []  # the kept head's prediction scores a one-token text without a decode
    monkeypatch.undo()
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    fresh = scorer.score([(shorter, e) for e in endings])
    assert inside == pytest.approx(fresh, abs=0.05) and again == pytest.approx(fresh, abs=0.05)
    assert all(math.isfinite(s) and s < 0 for s in fresh)


def test_long_prompts_are_scored_apart_from_short_ones():
    """The arguments prompt (~950 tokens) would slow every short prompt's tokens in a shared cache."""
    from cardflow.chat.backends import EmbeddedBackend, embedded

    require_model()
    backend = EmbeddedBackend(idle_timeout=300)
    short = [{"role": "system", "content": "You are the assistant of the Tasks app."}]
    long = [{"role": "system", "content": "Worked examples follow. " * (embedded.LONG_HEAD // 20)}]
    backend._score(short, "I will", [" add a task."], False)
    backend._score(long, "", ["{"], False)
    kept = {long_: sum(map(len, backend._load_scorer(long_)._slots)) for long_ in (False, True)}
    assert 0 < kept[False] < 100 < kept[True]  # each prompt in its own scorer's cache


def test_texts_that_start_alike_decode_their_common_start_once_and_score_as_alone(scorer, monkeypatch):
    head = HEADS[0]
    texts = ["Sure, I will move task “call Bob” to the top.", "Sure, I will move task “call Bob” to the bottom.",
             "Sure, I will delete task “call Bob”.", "Okay."]
    alone = [scorer.score([(head, text)])[0] for text in texts]
    decoded: list[int] = []
    decode = scorer._decode
    monkeypatch.setattr(scorer, "_decode", lambda items: (decoded.append(len(items)), decode(items))[1])
    together = scorer.score([(head, text) for text in texts])
    tokens = [scorer.tokens(text, special=False) for text in texts]
    starts = {tuple(t[:k]) for t in tokens for k in range(1, len(t))}  # each decoded once
    assert sum(decoded) == len(starts) < sum(len(t) - 1 for t in tokens)
    assert together == pytest.approx(alone, abs=0.05)
    assert together[0] != pytest.approx(together[1], abs=1e-3)  # the shared start did not blur their ends
