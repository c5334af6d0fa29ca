"""The chat service: which backend answers, the system prompt, history trimming, and settings.

Routes (routes.py) and apps (Poetflow) talk to the model through this one object, so the
backend choice, the active app's prompt and the tone settings apply everywhere the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.chat import backends
from cardflow.chat.backends import Backend, BackendError, backend_choices, installing
from cardflow.chat.backends.base import DEFAULT_CONTEXT_CHARS
from cardflow.chat.conversation import STILL_WAITING, SWITCH_PREFIX
from cardflow.chat.facts import app_context
from cardflow.chat.intent import warm
from cardflow.chat.receipts import ROLE as RECEIPT
from cardflow.chat.receipts import Receipt, model_line
from cardflow.db import Message
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.plugins import Context

BASE_PROMPT = (
    "You are the assistant inside Cardflow, a local web app that runs step-by-step workflows and keeps "
    "a task list per profile. You run on the user's own machine. Answer in plain markdown. "
    "Be {tone}. Keep answers under {words} words unless the user asks for more."
)
STOPPED = "*(stopped)*"  # appended to a reply the user stopped; not model text
TONES = ("friendly and concise", "formal", "playful", "terse")
REWARM_AFTER = 1.5  # seconds without a change by the user before the open app is warmed again


def installing_marker() -> Path:
    """`make run` builds llama-cpp-python in the background and leaves this file meanwhile."""
    return installing.marker()


class ChatService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._backend: Backend | None = None
        self._reason = ""
        self._key: tuple[str, str | None] | None = None
        self._lock = asyncio.Lock()
        self._warming: asyncio.Task[None] | None = None
        self._rewarm: asyncio.TimerHandle | None = None

    # -- settings ---------------------------------------------------------------------------
    @property
    def store(self) -> Any:
        return self.ctx.db.store

    def choice(self) -> str:
        chosen = self.store.get("llm_backend")
        return chosen if chosen in backend_choices() else self.ctx.settings.llm

    def model(self) -> str | None:
        return self.store.get("llm_model") or None

    def tone(self) -> str:
        tone = self.store.get("chat_tone", TONES[0])
        return tone if tone in TONES else TONES[0]

    def word_limit(self) -> int:
        value = self.store.get("chat_word_limit", 120)
        return value if isinstance(value, int) and 10 <= value <= 2000 else 120

    def idle_timeout(self) -> float:
        """Seconds without a token before a reply is declared stalled (30 unless configured)."""
        try:
            return max(0.5, float(os.environ.get("CARDFLOW_LLM_IDLE_TIMEOUT", "30")))
        except ValueError:
            return 30.0

    def use_tools(self) -> bool:
        """Native tool calling is opt-in (CARDFLOW_LLM_TOOLS=1): some OpenAI-compatible servers refuse `tools`."""
        return os.environ.get("CARDFLOW_LLM_TOOLS", "").lower() in ("1", "true", "yes")

    def save_settings(self, *, backend: str | None = None, model: str | None = None, tone: str | None = None,
                      word_limit: int | None = None) -> None:
        """Store the chat settings; a value that cannot work raises Problem with a sentence to show."""
        if backend is not None:
            if backend not in backend_choices():
                raise Problem(f"Unknown backend {backend!r}", field="backend")
            if backend != self.choice():
                self.store["llm_model"] = ""
            self.store["llm_backend"] = backend
        if model is not None:
            self.store["llm_model"] = model
        if tone is not None:
            if tone not in TONES:
                raise Problem("Choose one of the listed tones.", field="tone")
            self.store["chat_tone"] = tone
        if word_limit is not None:
            if not 10 <= word_limit <= 2000:
                raise Problem("The word limit must be between 10 and 2000.", field="word_limit")
            self.store["chat_word_limit"] = word_limit
        self._key = None  # re-resolve on next use

    # -- backend ----------------------------------------------------------------------------
    async def backend(self) -> tuple[Backend, str]:
        """The backend in use and why; resolved lazily (never at start-up) and cached."""
        key = (self.choice(), self.model())
        async with self._lock:
            if self._backend is None or key != self._key:
                previous = self._backend
                backend, reason = await backends.choose_backend(
                    key[0], ollama_host=self.ctx.settings.ollama_host,
                    openai_base_url=self.ctx.settings.openai_base_url,
                    openai_api_key=self.ctx.settings.openai_api_key,
                    scripted_replies=_scripted_replies(), scripted_delay=_scripted_delay())
                # Keep one instance of a backend that is costly to start (the embedded model loads weights).
                if previous is not None and type(previous) is type(backend) and backend.keep_instance:
                    backend = previous
                if key[1]:
                    backend.model = key[1]
                elif backend.needs_model_list and backend.model is None:
                    # No model chosen: use the server's first one rather than a name it may not have.
                    try:
                        names = await asyncio.wait_for(backend.models(), 3)
                    except (BackendError, TimeoutError):
                        names = []
                    if names:
                        backend.model = names[0]
                        reason += f"; model {names[0]} (the first the server lists)"
                self._backend, self._reason, self._key = backend, reason, key
            return self._backend, self._reason

    def status(self) -> str:
        """A short line for the UI: what answers, or that the embedded model is still installing."""
        if self._backend is None:
            if installing_marker().exists():
                return "The embedded model is installing (llama-cpp-python is compiling); chat uses Ollama if it answers."
            return f"Backend: {self.choice()} (chosen on the first message)"
        name = self._backend.name
        extra = ""
        status = getattr(self._backend, "status", None)
        if callable(status):
            state = status()
            if state.startswith("not installed") and installing_marker().exists():
                state = "installing (llama-cpp-python is compiling in the background)"
            extra = f" — {state}"
        return f"Backend: {name}{extra}. {self._reason}"

    async def models(self) -> list[str]:
        backend, _ = await self.backend()
        try:
            return await asyncio.wait_for(backend.models(), 3)
        except (BackendError, TimeoutError):
            return []

    def on_app_switch(self, plugin: Any) -> None:
        """Hot prompt injection: the next reply uses this app's prompt; the history marks the switch.

        Switches in a row make one line, and the line is for the user: the model learns the open
        app from the system prompt, not from the conversation.
        """
        self.ctx.conversation.switched(self.ctx.current_profile_id(), f"Switched to the {plugin.title} app.",
                                       plugin.name)
        self.warm(plugin.name)

    def warm(self, app_name: str) -> None:
        """Evaluate the open app's prompts in the background, so the next message starts from the
        model's cache: the decision's (``intent.warm``) and then the answer's (system prompt,
        whose facts list the rows, and the history). Only for a model already loaded that decides
        with an intent pass (the embedded one): loading weights on a mere page visit would cost
        more than it saves, and the first message loads them anyway."""
        backend = self._backend
        if backend is None or not backend.needs_intent_pass:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # called outside the server (a script): nothing to warm for
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()  # a newer switch wins; the old prefix is no longer wanted
        self._warming = loop.create_task(self.warm_prompts(backend, app_name, self.ctx.current_profile_id()),
                                         name=f"warm-{app_name}")

    async def warm_prompts(self, backend: Backend, app_name: str, profile_id: int) -> None:
        """What ``warm`` runs in the background, awaited (bench/actions_eval.py times messages after it)."""
        await warm(self.ctx, backend, self.ctx.actions.for_app(app_name), app_name=app_name, model=self.model(),
                   profile_id=profile_id)
        messages = self.build_messages(profile_id, self.system_prompt(app_name))
        try:  # in the backend's chat context (the default), which the decision's calls leave alone
            async for _ in backend.stream(messages, model=self.model(), options={"max_tokens": 1, "temperature": 0}):
                pass
        except BackendError:
            return

    def after_change(self, call: Any) -> None:
        """A change by the user (the page, MCP, the CLI): warm the open app again once they pause.

        The scorer keeps prompts that list the app's rows, so rows changed outside the chat cost the
        next message a re-evaluation (about 1.2 s here, bench/chat_rewarm.py) unless it is done
        beforehand. The assistant's own changes are re-read at once (acting.py); the user's come in
        bursts (ticking five tasks), so the re-read waits for REWARM_AFTER seconds without a change.
        """
        if call.actor == "assistant" or self._backend is None or not self._backend.needs_intent_pass:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._rewarm is not None:
            self._rewarm.cancel()
        self._rewarm = loop.call_later(REWARM_AFTER, self.reread_rows)

    def reread_rows(self) -> None:
        """Re-read the open app's rows in the background (a pending re-read is done now instead)."""
        if self._rewarm is not None:
            self._rewarm.cancel()
            self._rewarm = None
        self.warm(str(self.store.get("last_app_choice", "home")))

    # -- prompt -----------------------------------------------------------------------------
    def system_prompt(self, app_name: str | None = None, extra: str = "") -> str:
        prompt = BASE_PROMPT.format(tone=self.tone(), words=self.word_limit())
        name = app_name or self.store.get("last_app_choice", "home")
        plugin = self.ctx.registry.by_name(name)
        if plugin is not None:
            # The app's own facts (description, counts, steps, runs), so answers about it are grounded.
            facts = app_context(self.ctx, name, self.ctx.current_profile_id())
            prompt += f"\n\nThe user has the “{plugin.title}” app open.\n{facts}"
            if plugin.prompt:
                prompt += f"\n{plugin.prompt}"
        return prompt + (f"\n\n{extra}" if extra else "")

    def context_budget(self) -> int:
        return self._backend.context_chars if self._backend else DEFAULT_CONTEXT_CHARS

    def build_messages(self, profile_id: int, system: str) -> list[dict[str, str]]:
        """System prompt first, then as much recent history as fits the model's context window.

        What ran is told as a system line ("Action tasks.add ran: …"), never as the assistant's
        own words: a model imitates what it sees itself say, and would write receipts it never ran.
        App-switch lines are left out (the system prompt says which app is open), and so are
        stopped replies with nothing in them.
        """
        budget = self.context_budget() - len(system)
        picked: list[dict[str, str]] = []
        for msg in reversed(self.ctx.conversation.history(profile_id, limit=200)):
            entry = history_entry(msg)
            if entry is None:
                continue
            if len(entry["content"]) > budget:
                break
            budget -= len(entry["content"])
            picked.append(entry)
        picked.reverse()
        while picked and picked[0]["role"] != "user":  # a reply without its question confuses small models
            picked.pop(0)
        return [{"role": "system", "content": system}, *picked]

def history_entry(msg: Message) -> dict[str, str] | None:
    """One stored message as the model sees it, or None for what is not conversation."""
    if msg.role == "user":
        return {"role": "user", "content": msg.content}
    if msg.role == "assistant":
        # Old replies carried "✓ …" lines; the model must not learn to write them. "(stopped)" is ours too.
        text = "\n".join(line for line in msg.content.replace(STOPPED, "").splitlines()
                         if not line.lstrip().startswith(("✓", "✗")))
        return {"role": "assistant", "content": text.strip()} if text.strip() else None
    if msg.role == RECEIPT:
        try:
            return {"role": "system", "content": model_line(Receipt.load(msg.content))}
        except (ValueError, KeyError, TypeError):
            return None
    if msg.role == "system" and (msg.content.startswith(SWITCH_PREFIX) or msg.content == STILL_WAITING):
        return None
    return {"role": "system", "content": f"(note) {msg.content}"}


def _scripted_replies() -> list[str] | None:
    raw = os.environ.get("CARDFLOW_SCRIPTED_REPLIES")
    if not raw:
        return None
    try:
        replies = json.loads(raw)
    except json.JSONDecodeError:
        return [raw]
    return [str(r) for r in replies] if isinstance(replies, list) and replies else None


def _scripted_delay() -> float:
    try:
        return float(os.environ.get("CARDFLOW_SCRIPTED_DELAY", "0.05"))
    except ValueError:
        return 0.05
