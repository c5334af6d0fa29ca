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
        [tuple(scorer.tokens(first)[:-1]), tuple(scorer.tokens(second)[:-1])])  # the second did not take the first's slot
    decoded: list[int] = []
    decode = scorer._decode
    monkeypatch.setattr(scorer, "_decode", lambda items: (decoded.append(len(items)), decode(items))[1])
    scorer.score([(first, text)])
    assert sum(decoded) == len(scorer.tokens(text, special=False)) + 1  # only the text (and the head's last token)
    monkeypatch.undo()
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    assert shared_start == pytest.approx(scorer.score([(second, text)])[0], abs=0.05)  # as from scratch
