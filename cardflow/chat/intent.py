"""Reading the model: JSON commands in free text, the small-model intent pass, name matching.

``extract_commands`` finds commands in a reply. The intent pass lets a small model choose only
an action and some text under a JSON-schema grammar (``classify`` -> ``intent_to_command``),
behind the cheap ``looks_like_command`` gate. ``match_rows`` resolves "the milk task" to rows.
Nothing here changes data: ``cardflow.chat.actions`` validates and executes.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from cardflow.chat.backends import TOOL_CALLS_MARKER, BackendError, parse_tool_calls

# Text that reads like SQL: never a task name, never a task command.
SQLISH = re.compile(
    r"\b(drop|alter|truncate)\s+table\b|\bdelete\s+from\b|\binsert\s+into\b|\bupdate\s+\w+\s+set\b"
    r"|\bunion\s+(all\s+)?select\b|\bselect\s+\*|;\s*(drop|delete|insert|update|select|alter|create|attach|pragma)\b"
    r"|\bsqlite_master\b|\battach\s+database\b|\bpragma\s+\w+|'\s*or\s+'?\d+'?\s*=\s*'?\d+|;\s*--|/\*.*\*/"
    r"|\b(or|and)\s+1\s*=\s*1\b|\bwhere\s+1\s*=\s*1\b",
    re.I | re.S)
INTENT_ACTIONS = ("add", "done", "undone", "rename", "delete", "list", "top", "chat")


class Extracted(list):
    """The commands found in a text (a list of dicts); ``errors`` says what could not be read."""

    def __init__(self, commands: Iterable[dict] = (), errors: Iterable[str] = ()) -> None:
        super().__init__(commands)
        self.errors = list(errors)


# -- extraction ------------------------------------------------------------------------------
FENCE = re.compile(r"```[ \t]*([\w+-]*)[ \t]*\n(.*?)```", re.S)


def _balanced_objects(text: str) -> list[tuple[int, str, bool]]:
    """Top-level ``{...}`` spans, braces inside JSON strings ignored: (offset, span, closed)."""
    spans, depth, start, in_str, escaped = [], 0, 0, False, False
    for i, ch in enumerate(text):
        if in_str:
            escaped, in_str = (False, in_str) if escaped else (ch == "\\", ch != '"')
            continue
        if ch == '"' and depth:
            in_str = True
        elif ch == "{":
            start, depth = (i, 1) if depth == 0 else (start, depth + 1)
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, text[start : i + 1], True))
    if depth:
        spans.append((start, text[start:], False))
    return spans


def _commands(value: Any) -> list[dict]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict) and "action" in item]


def extract_commands(text: str) -> Extracted:
    """Every JSON command in free model text, in the order written; what cannot be read goes to ``.errors``.

    Fenced ```json (or untagged) blocks and bare objects with an "action" key count; blocks
    tagged with another language are examples, not commands. The tool-call chunk comes last.
    """
    found, errors = [], []
    marker = text.find(TOOL_CALLS_MARKER)
    tool_chunk = text[marker:] if marker >= 0 else ""
    text = text[:marker] if marker >= 0 else text
    for match in FENCE.finditer(text):
        tag, body = match.group(1).lower(), match.group(2).strip()
        if tag not in ("", "json") or not body or (not tag and body[0] not in "[{"):
            continue
        try:
            value = json.loads(body)
        except ValueError as exc:
            errors.append(f"A JSON block in the reply is malformed ({exc.msg} at line {exc.lineno}).")
            continue
        found += [(match.start(), c) for c in _commands(value)]
        if not _commands(value):
            errors.append('A JSON block in the reply is not a command (it has no "action").')
    blanked = FENCE.sub(lambda m: " " * len(m.group()), text)  # same offsets, fences gone
    for start, span, closed in _balanced_objects(blanked):
        if '"action"' not in span:
            continue  # braces in prose, not a command
        try:
            if not closed:
                raise ValueError("it is cut off")
            found += [(start, c) for c in _commands(json.loads(span))]
        except ValueError as exc:
            errors.append(f"A command in the reply is malformed ({getattr(exc, 'msg', exc)}).")
    out = Extracted((c for _, c in sorted(found, key=lambda pair: pair[0])), errors)
    calls = parse_tool_calls(tool_chunk.strip()) if tool_chunk else []
    out.errors += ["The model's tool call could not be read."] if calls is None else []
    for call in calls or []:
        args = call.get("arguments") if isinstance(call, dict) else None
        if isinstance(args, dict):
            out.append({**args, "action": call.get("name")})
        else:
            out.errors.append(f"The arguments of a tool call ({str(call)[:60]}) are not valid JSON.")
    return out


# -- name matching ---------------------------------------------------------------------------
# Glue words that say nothing about which task is meant, and command words that a spoken
# reference carries along ("mark the milk task done"); the latter are dropped from queries only.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


GLUE = _wordset("a an the my our your this that these those task tasks todo todos to-do item items one "
                 "entry thing please i me we you to of for on at in with and")
COMMAND_WORDS = _wordset("mark marked tick ticked check checked off complete completed finish finished "
                          "done undo undone reopen rename renamed change delete remove move top bottom put "
                          "set as is was it from list called named")
NOT_A_NAME = COMMAND_WORDS | _wordset("add create remind remember new need have please")
MIN_SCORE, MARGIN = 0.5, 0.15


def _stem(word: str) -> str:
    if word.endswith("ss") or len(word) < 5:
        return word
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    if word.endswith("es") and word[-3] in "sxz":  # glasses, boxes
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[\w'-]+", text.lower().replace("’", "'"))).strip("'-")


def words(text: str, *, query: bool = False) -> list[str]:
    """Content words of a name or a spoken reference, stemmed."""
    raw = [w.strip("'-") for w in _norm(text).split()]
    content = [w for w in raw if w and w not in GLUE]
    if query:
        content = [w for w in content if w not in COMMAND_WORDS] or content
    return [_stem(w) for w in content] or [_stem(w) for w in raw if w]


def _same(a: str, b: str) -> bool:
    """Equal stems, or a typo in a longer word ("dentst"); "plan" and "plant" stay apart."""
    return a == b or (min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85)


def _score(query: list[str], name: list[str]) -> float:
    if not query or not name:
        return 0.0
    recall = sum(any(_same(q, n) for n in name) for q in query) / len(query)
    precision = sum(any(_same(n, q) for q in query) for n in name) / len(name)
    return 0.0 if not recall else 0.6 * recall + 0.4 * precision


def match_rows(query: str, rows: Iterable[Any]) -> list:
    """Rows whose ``name`` the query means: one when clear, several when ambiguous, [] for none."""
    rows, target, q = list(rows), _norm(query), words(query, query=True)
    exact = [r for r in rows if target and _norm(r.name) == target]
    scored = sorted(((_score(q, words(r.name)), i, r) for i, r in enumerate(rows)), key=lambda s: (-s[0], s[1]))
    scored = [s for s in scored if s[0] >= MIN_SCORE] if target else []
    return exact or [r for score, _, r in scored if score >= scored[0][0] - MARGIN]


def quote_names(rows: list, joiner: str = "or") -> str:
    names = [f"“{r.name}”" for r in rows]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {joiner} {names[-1]}"


# -- the intent pass -------------------------------------------------------------------------
# Words that can mean each action. They narrow the grammar's action enum (the model still
# chooses, "chat" always included) and make the gate; no cue at all leaves every action open.
CUES = {
    "add": r"add|create|remind|remember|don'?t forget|need to|have to|got to|new (?:task|todo|to-do|item)",
    "done": r"mark(?:ed)?|tick(?:ed)?|check(?:ed)? off|complete[ds]?|finish(?:ed)?|done|did",
    "undone": r"undo|undone|not (?:yet )?(?:done|finished|complete)|unfinished|reopen|untick|unmark|uncheck",
    "rename": r"rename|change|call it|retitle",
    "delete": r"delete|remove|get rid|erase|drop|cancel|scrap",
    "top": r"top|first|priorit\w*|most important|urgent",
    "list": r"list|show|what'?s on|what are|see",
}
_CUE_RES = {action: re.compile(rf"\b(?:{rx})\b", re.I) for action, rx in CUES.items()}
GATE = re.compile(rf"\b(?:{'|'.join(CUES.values())}|tasks?|todos?|to-dos?)\b", re.I)


def looks_like_command(text: str) -> bool:
    """A cheap keyword gate: plain chat ("hello", "what is this app for?") skips the intent pass."""
    return bool(GATE.search(text or ""))


def candidate_actions(text: str) -> tuple[str, ...]:
    """The actions the message has words for, plus "chat"; with none, adding or listing."""
    found = [a for a, rx in _CUE_RES.items() if rx.search(text or "")]
    if "undone" in found and "done" in found:
        found.remove("done")  # "not done yet" contains "done"
    return (*found, "chat") if found else ("add", "list", "chat")  # "todo: buy eggs"


def command_schema(actions: Iterable[str] = INTENT_ACTIONS) -> dict:
    """The grammar of the intent pass: the model chooses only the action and the text."""
    return {"type": "object", "properties": {
        "action": {"type": "string", "enum": [a for a in INTENT_ACTIONS if a in set(actions)]},
        "name": {"type": "string", "maxLength": 200},
        "new_name": {"type": "string", "maxLength": 200},
    }, "required": ["action", "name", "new_name"], "additionalProperties": False}


INTENT_SYSTEM = """Turn the message into a JSON command for a to-do list.
Tasks now: {tasks}
Actions:
- add: a new task ("add X", "remind me to X", "new task X", "I need to X")
- done: a task is finished ("mark X done", "I finished X", "tick off X", "complete X", "X is done")
- undone: a task is not finished after all ("mark X as not done", "undo X")
- rename: change a task's name ("rename X to Y", "change X to Y"); new_name is Y
- delete: remove a task ("delete X", "remove X", "get rid of X")
- top: move a task to the top ("move X to the top", "put X first")
- list: show the tasks ("list my tasks", "show my tasks")
- chat: anything else (greetings, questions, jokes)
name is X, the task as the user said it."""

EXAMPLES = [
    ("add a task to feed the cat", "add", "feed the cat", ""),
    ("hi, how are you?", "chat", "", ""),
    ("I finished the cat task", "done", "the cat task", ""),
    ("change feed the cat to feed the dog", "rename", "feed the cat", "feed the dog"),
    ("remove the cat task", "delete", "the cat task", ""),
    ("show my tasks", "list", "", ""),
    ("put feed the cat at the top", "top", "feed the cat", ""),
]


def _names(tasks: Iterable[Any]) -> list[str]:
    return [t if isinstance(t, str) else str(t.name) for t in tasks]


def build_intent_messages(user_text: str, tasks: Iterable[Any]) -> list[dict]:
    """A compact prompt: what each action means, the current tasks, a few worked examples."""
    names = _names(tasks)[:30]
    shown = "; ".join(n[:80] for n in names) if names else "(none)"
    shots = [{"role": role, "content": content} for text, action, name, new_name in EXAMPLES for role, content in
             (("user", text), ("assistant", json.dumps({"action": action, "name": name, "new_name": new_name})))]
    return [{"role": "system", "content": INTENT_SYSTEM.format(tasks=shown)}, *shots,
            {"role": "user", "content": user_text[:500]}]


def parse_intent(text: str) -> dict:
    """The model's JSON as a clean intent, or ``{"action": "chat"}`` when it is anything else."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("action") not in INTENT_ACTIONS:
        return {"action": "chat"}
    clean = {k: data[k].strip(" \"'“”.!?")[:500] for k in ("name", "new_name") if isinstance(data.get(k), str)}
    return {"action": data["action"], **{k: v for k, v in clean.items() if v}}


def _snap(name: str, user_text: str) -> str:
    """The user's own wording when the model dropped words from it ("send invoice" -> "send the invoice")."""
    tokens = list(re.finditer(r"[\w'’-]+", user_text))
    stems = [_stem(_norm(t.group())) for t in tokens]
    wanted = [_stem(w) for w in _norm(name).split()]
    for start in range(len(tokens)):
        i, end, skipped = 0, None, 0
        for j in range(start, len(tokens)):
            if i == len(wanted):
                break
            if _same(stems[j], wanted[i]):
                i, end = i + 1, j
            elif j == start or (stems[j] not in GLUE and (skipped := skipped + 1) > 1):
                break  # small words ("the", "a") and one other word may be filled in
        if wanted and i == len(wanted) and end is not None:
            return user_text[tokens[start].start() : tokens[end].end()]
    return name


def _covered(text: str, said: list[str]) -> float:
    """How much of ``text`` the user actually said (0..1)."""
    mine = words(text)
    return sum(any(_same(w, s) for s in said) for w in mine) / len(mine) if mine else 0.0


def _from_text(text: str, rows: list) -> list:
    """The one task the words name: the only task with a word the message says that no other task has."""
    said = words(text, query=True)
    own = [set(words(r.name)) for r in rows]
    found = []
    for i, row_words in enumerate(own):
        others = set().union(*(w for j, w in enumerate(own) if j != i))
        if any(any(_same(w, s) for s in said) and not any(_same(w, o) for o in others) for w in row_words):
            found.append(rows[i])
    return found if len(found) == 1 else []


def ground(intent: dict, user_text: str, tasks: Iterable[Any]) -> dict:
    """Keep only what the user's own words support: a small model's names drift and hallucinate.

    A new name must come from the message (snapped back to its wording). A task is the one the
    model named if the message mentions it, else the one the message itself names; failing
    both, the user's own words are kept, so the executor asks or says that nothing matches.
    A rename's old name is looked for before its "to", the new one after.
    """
    action = intent["action"]
    name, new_name = intent.get("name", ""), intent.get("new_name", "")
    if action in ("list", "chat"):
        return {"action": action}
    if action == "add":
        name = _snap(name, user_text)
        if not set(words(name)) - NOT_A_NAME or _covered(name, words(user_text)) < 0.6:
            return {"action": "chat"}  # "add" alone, or words the user never said
        return {"action": "add", "name": name}
    head, tail = user_text, ""
    if action == "rename":
        parts = re.split(r"\s+(?:to|into)\s+", user_text, maxsplit=1, flags=re.I)
        head, tail = parts if len(parts) == 2 else (user_text, "")
    said = words(head)
    rows = [SimpleNamespace(name=n) for n in _names(tasks)]
    picked = match_rows(name, rows) if name else []
    grounded = [r for r in picked if _covered(r.name, said) >= 0.5]
    if len(picked) == 1 and grounded:
        name = picked[0].name
    elif not (len(picked) > 1 and grounded):
        from_text = _from_text(head, rows)
        name = from_text[0].name if from_text else " ".join(
            w for w in _norm(head).split() if w not in GLUE and w not in COMMAND_WORDS)
    out = {"action": action, "name": name} if name else {"action": action}
    if action == "rename":
        snapped = _snap(new_name, tail) if new_name else ""
        # The model's new name if it is a stretch of what follows "to" (and not the old name), else all of that.
        keep = snapped and _norm(snapped) in _norm(tail) and _norm(snapped) != _norm(name)
        new_name = snapped if keep else tail.strip(" \"'“”.!")
        if new_name:
            out["new_name"] = new_name
    return out


async def classify(backend: Any, user_text: str, tasks: Iterable[Any], *, model: str | None = None) -> dict:
    """One constrained call; the grounded intent, or ``{"action": "chat"}`` on anything unusable.

    The gate is applied here too, so a caller that forgets it cannot turn small talk into tasks.
    """
    tasks = list(tasks)
    if SQLISH.search(user_text) or not looks_like_command(user_text):
        return {"action": "chat"}  # database talk is never a task command; plain chat never reaches the model
    options = {"json_schema": command_schema(candidate_actions(user_text)), "temperature": 0, "max_tokens": 80}
    reply = []
    try:
        async for chunk in backend.stream(build_intent_messages(user_text, tasks), model=model, options=options):
            reply.append(chunk)
    except BackendError:
        return {"action": "chat"}
    return ground(parse_intent("".join(reply)), user_text, tasks)


# intent -> (action, extra keys) of the full command; "chat" and anything unknown -> None
_COMMANDS = {"add": ("insert", {}), "done": ("update", {"done": True}), "undone": ("update", {"done": False}),
             "rename": ("update", {}), "delete": ("delete", {}), "list": ("read", {}),
             "top": ("sort", {"position": "top"})}


def intent_to_command(intent: dict) -> dict | None:
    """A full command for ``actions.validate``; None when the user was just chatting."""
    if intent.get("action") not in _COMMANDS:
        return None
    action, extra = _COMMANDS[intent["action"]]
    keys = ("name", "new_name") if intent["action"] == "rename" else () if action == "read" else ("name",)
    return {"action": action, "target": "task", **{k: intent[k] for k in keys if intent.get(k)}, **extra}
