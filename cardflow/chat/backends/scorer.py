"""Scoring many continuations in one llama.cpp batch, with their prompts kept, for the embedded backend.

The assistant's choice (chat/choice.py) asks, for every message, how likely a dozen or more short
texts are: "… I will delete a task." for each action after the message, and the message itself
after "The user asks you to <each action>". On a 2-core CPU the 135M model evaluates a few hundred
tokens a second, so what costs is the number of tokens evaluated, and the per-call overhead of
evaluating them one small call at a time.

So every prompt (a "head") is kept in a KV-cache sequence of its own (a slot) between calls: the
13 "The user asks you to …" heads of an app are evaluated once, and a message then costs only its
own tokens after each of them. A head that starts like a kept one (the same system text and rows,
another message) reuses that slot from where they differ. Each scored text is a further sequence
that shares its head's cells (``llama_memory_seq_cp`` on a unified cache), and all of them go
through the model in one ``llama_decode``.

Only the tokens that predict something are decoded. A slot keeps, with its head, the model's
prediction after the head's last token (log-probabilities over the vocabulary, 192 KB), which
scores every text's first token; a text's own last token predicts nothing and is not decoded.
Before 2026-12-04 each text decoded its head's last token and its own last one: two of a choice
text's ~9 tokens. Without them a message's choice took 0.58 s instead of 0.84 (p50, 30 questions
and remarks of the eval sets), with the same scores.

Texts after one head that start alike share their common start's cells, decoded once (``_group``).
Since 2026-12-05 (afternoon) a message naming a row has its replies (replies.py) scored in 0.19 s
instead of 0.35, and the choice over the fifth set's first 40 messages takes 0.86 s instead of
1.01 (median), with the same scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SLOTS = 32  # heads kept between calls, each in its own sequence
MAX_SEQUENCES = 64  # scored texts per decode; more are scored in further decodes
N_CTX = 6144  # KV cells for the kept heads and the scored texts of one decode
N_BATCH = 1024
ROWS = 16  # logits rows normalised at a time (16 x 49,152 floats: 3 MB)


def shared_start(kept: Sequence[int], body: Sequence[int]) -> int:
    """How many tokens ``body`` has in common with ``kept`` from the start."""
    same = 0
    for old, new in zip(kept, body, strict=False):
        if old != new:
            break
        same += 1
    return same


class BatchScorer:
    """log P(text | head) for pairs of (head, text), one decode per group of pairs."""

    def __init__(self, llm: Any, n_threads: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        self._api = llama_cpp
        self._llm = llm  # the loaded Llama: its model (weights mmapped once) and its tokenizer
        params = llama_cpp.llama_context_default_params()
        params.n_ctx, params.n_batch, params.n_ubatch = N_CTX, N_BATCH, min(N_BATCH, 512)
        params.n_seq_max, params.kv_unified = SLOTS + MAX_SEQUENCES, True
        params.n_threads = params.n_threads_batch = n_threads
        # Any: llama_cpp is untyped where it is installed and absent where lint runs before the build.
        self._ctx: Any = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self._batch = llama_cpp.llama_batch_init(N_BATCH, 0, MAX_SEQUENCES)  # a shared start is in many sequences
        vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
        self._n_vocab = int(llama_cpp.llama_vocab_n_tokens(vocab))
        self._slots: list[list[int]] = [[] for _ in range(SLOTS)]  # the tokens each slot's sequence holds
        self._next: list[Any] = [None] * SLOTS  # per slot: log P(token | its whole head), a numpy row
        self._used = list(range(SLOTS))  # slots, least recently used first
        self._rows: Any = None  # the log-softmax's work buffer (numpy is imported on first use)

    def close(self) -> None:
        if self._batch is not None:
            self._api.llama_batch_free(self._batch)
            self._batch = None
        self._ctx.close()

    def tokens(self, text: str, *, special: bool = True) -> list[int]:
        return list(self._llm.tokenize(text.encode(), add_bos=False, special=special))

    def _decode(self, items: Sequence[tuple[int, int, int | list[int], bool]]) -> None:
        """(token, position, sequence or sequences, wants logits) for each token, in chunks of the batch size."""
        api, batch = self._api, self._batch
        for start in range(0, len(items), N_BATCH):
            chunk = items[start : start + N_BATCH]
            batch.n_tokens = len(chunk)
            for i, (token, pos, seq, logits) in enumerate(chunk):
                seqs = [seq] if isinstance(seq, int) else seq
                batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, pos, len(seqs), logits
                for j, one in enumerate(seqs):
                    batch.seq_id[i][j] = one
            code = api.llama_decode(self._ctx.ctx, batch)
            if code != 0:
                raise RuntimeError(f"llama_decode returned {code}")

    def _clear(self, slot: int) -> None:
        self._api.llama_memory_seq_rm(self._ctx.memory, slot, -1, -1)
        self._slots[slot], self._next[slot] = [], None

    def _keep(self, body: list[int], pinned: set[int]) -> int:
        """A slot holding ``body``, evaluated only from where it differs from the kept head sharing the longest start.

        That start is shared, not moved: the new head takes an empty slot, or else the least
        recently used one, and a copy of the shared cells (``llama_memory_seq_cp``: on a unified
        cache it adds a sequence id to the same cells). Continuing the donor's own slot instead, as
        this did until 2026-12-03, overwrote it: a toggle's four prompts (flags.py) share the system
        text with the choice's 13, took four of their slots, and the next message evaluated those
        again (a message's choice went from about 1.0 to 2.0 s).

        The slot also keeps what the model predicts after the head's last token (``_next``), so a
        text scored after it needs none of the head decoded again. A head found only inside a
        longer kept one has its last token decoded again, for that prediction.
        """
        def shared(slot: int) -> int:
            return shared_start(self._slots[slot], body)

        free = [slot for slot in self._used if slot not in pinned]
        if not free:
            raise RuntimeError("more distinct prompts than slots in one call")
        def exact(slot: int) -> bool:  # holds all of the shared start and nothing more, with its prediction
            return shared(slot) == len(self._slots[slot]) and self._next[slot] is not None

        donor = max(range(SLOTS), key=lambda slot: (shared(slot), exact(slot), slot in free))
        same = shared(donor)
        kept = len(self._slots[donor])
        whole = same == len(body) == kept and self._next[donor] is not None
        if donor in free and same == kept > 0 and (same < len(body) or whole):
            best = donor  # the kept head is all of this one's start (or all of it): continued, nothing lost
        else:
            best = next((slot for slot in free if not self._slots[slot]), free[0])
        same = same if whole else min(same, len(body) - 1)
        self._make_room(len(body), pinned | {best, donor})
        memory = self._ctx.memory
        self._api.llama_memory_seq_rm(memory, best, -1 if donor != best else same, -1)
        if donor != best and same:
            self._api.llama_memory_seq_cp(memory, donor, best, 0, same)
            self._next[best] = self._next[donor] if whole else None
        return self._fill(best, same, body)

    def _make_room(self, size: int, keep: set[int]) -> None:
        """Clear the least recently used slots (not ``keep``) until ``size`` tokens and a batch after them fit."""
        while sum(map(len, self._slots)) + size + N_BATCH > N_CTX:
            victims = [slot for slot in self._used if slot not in keep and self._slots[slot]]
            if not victims:
                break
            self._clear(victims[0])

    def _fill(self, slot: int, same: int, body: list[int]) -> int:
        """Evaluate ``body`` in ``slot`` from ``same`` on (its first ``same`` cells are there) and mark it used.

        The last token's logits are kept, as log-probabilities, for the first token of every text
        scored after this head.
        """
        if body[same:]:
            self._slots[slot], self._next[slot] = body[:same], None
            last = len(body) - 1
            self._decode([(t, same + i, slot, same + i == last) for i, t in enumerate(body[same:])])
            self._next[slot] = self._log_softmax(self._logits(1))[0]
        self._slots[slot] = list(body)
        self._used.remove(slot)
        self._used.append(slot)
        return slot

    def _logits(self, rows: int) -> Any:
        """The last decode's requested logits, one row per token that asked for them, in batch order."""
        import numpy as np

        return np.ctypeslib.as_array(self._api.llama_get_logits(self._ctx.ctx), shape=(rows, self._n_vocab))

    def _log_softmax(self, block: Any) -> Any:
        import numpy as np

        top = block.max(axis=1)
        work = np.exp(block - top[:, None])
        return (block - (top + np.log(work.sum(axis=1, dtype=np.float64)))[:, None]).astype(np.float32)

    def score(self, pairs: Sequence[tuple[str, str]], *, tail: str = "", per_token: bool = False) -> list[float]:
        """log P(text + tail | head) for each (head, text), summed over the tokens (or their mean).

        A text is read as plain words: a user who types "<|im_end|>" gets those characters, not the
        template's token. The ``tail`` (the template's end of a turn) is read with its special tokens,
        and only its first token is scored: that is the end-of-turn mark, whose likelihood says "the
        message ends here"; the rest (ChatML's "\n<|im_start|>assistant\n") is the template's own
        and near-certain, yet cost five tokens for each of a message's 13 texts.
        """
        import numpy as np

        ending = self.tokens(tail)[:1] if tail else []
        heads: dict[str, tuple[int, list[int]]] = {}  # head -> (slot, its tokens), for this call
        jobs: list[tuple[int, list[int], int, list[int]]] = []  # (slot, head tokens, pair index, text tokens)
        for index, (head, text) in enumerate(pairs):
            if head not in heads:
                whole = self.tokens(head)
                if not whole:
                    raise ValueError("an empty prompt has nothing to continue")
                heads[head] = (self._keep(whole, {slot for slot, _ in heads.values()}), whole)
            slot, whole = heads[head]
            jobs.append((slot, whole, index, self.tokens(text, special=False) + ending))
        out = [0.0] * len(pairs)
        room = max(1, min(N_CTX - sum(map(len, self._slots)) - 1, N_BATCH))
        while jobs:
            group: list[tuple[int, list[int], int, list[int]]] = []
            used = 0
            while jobs and len(group) < MAX_SEQUENCES:
                slot, ids, index, scored = jobs[0]
                scored = scored[: max(1, room - 1)]  # one text longer than a batch is cut, not refused
                if group and used + len(scored) > room:
                    break
                group.append((slot, ids, index, scored))
                used += len(scored)
                jobs.pop(0)
            for index, total, count in self._group(group, np):
                out[index] = total / max(count, 1) if per_token else total
        return out

    def _group(self, group: list[tuple[int, list[int], int, list[int]]], np: Any) -> list[tuple[int, float, int]]:
        """Score one group of texts in one decode: each text's first token from its head's kept
        prediction, the rest from the logits of the text's own tokens before them. A text's last
        token is never decoded: nothing is predicted from it.

        Texts after the same head that start alike share the cells of their common start (a trie):
        its tokens are decoded once, in every sequence that holds them, and their logits score each
        text's next token. A choice's replies differ only at their end ("… move task “x” to the
        top." / "… bottom."): 4 of 61 tokens are decoded instead of 4 x 14.
        """
        api, mem = self._api, self._ctx.memory
        nodes: dict[tuple[int, tuple[int, ...]], int] = {}  # (slot, a text's start) -> its item's index
        items: list[tuple[int, int, list[int], bool]] = []
        firsts: list[float] = []
        wanted: list[tuple[int, int]] = []  # (item whose logits predict it, token) for each scored token after a first
        for seq, (slot, head, _, text) in enumerate(group, start=SLOTS):
            firsts.append(float(self._next[slot][text[0]]))
            api.llama_memory_seq_rm(mem, seq, -1, -1)
            if len(text) > 1:
                api.llama_memory_seq_cp(mem, slot, seq, -1, -1)
            for k in range(1, len(text)):
                key = (slot, tuple(text[:k]))
                at = nodes.get(key)
                if at is None:
                    at = nodes[key] = len(items)
                    items.append((text[k - 1], len(head) + k - 1, [], True))
                items[at][2].append(seq)
                wanted.append((at, text[k]))
        # One decode keeps every requested row: a second chunk's would overwrite the first's
        # (score() sizes each group to fit one batch).
        assert len(items) <= N_BATCH, "a scoring group must fit one batch"
        picked = np.empty(len(wanted), dtype=np.float64)
        if items:
            self._decode(items)
            # The log-softmax's normaliser runs over a few rows at a time, in a buffer that stays in
            # cache: a message's ~200 rows of 49,152 took 75 ms one row at a time in float64, 14 ms
            # all at once, 7.5 ms this way.
            logits = self._logits(len(items))
            if self._rows is None:
                self._rows = np.empty((ROWS, self._n_vocab), dtype=np.float32)
            norm = np.empty(len(items), dtype=np.float64)
            for start in range(0, len(items), ROWS):
                block = logits[start : start + ROWS]
                work = self._rows[: len(block)]
                top = block.max(axis=1)
                np.subtract(block, top[:, None], out=work)
                np.exp(work, out=work)
                norm[start : start + len(block)] = top + np.log(work.sum(axis=1, dtype=np.float64))
            rows = np.array([at for at, _ in wanted], dtype=np.int64)
            targets = np.array([token for _, token in wanted], dtype=np.int64)
            picked[:] = logits[rows, targets] - norm[rows]
        out = []
        row = 0
        for (_, _, index, text), first in zip(group, firsts, strict=True):
            out.append((index, first + float(picked[row : row + len(text) - 1].sum()), len(text)))
            row += len(text) - 1
        for seq in range(SLOTS, SLOTS + len(group)):
            api.llama_memory_seq_rm(mem, seq, -1, -1)
        return out
