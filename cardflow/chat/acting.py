"""The assistant's calls turned into receipts: run, refuse, or propose for a click.

Every run goes through ``ctx.actions.run(..., actor="assistant")`` (validation, profile scope,
action_log, live updates). What the user sees of it is a receipt (receipts.py) that the app
draws from the outcome, never a line in the model's text. A call that deletes or reverts
(``Action.confirm``), a reply that would change more than one row, or a new row that nearly
repeats one the user has (``near_duplicate``) is not run: it becomes a proposal that runs only
on Confirm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action
from cardflow.chat.grounding import times, words
from cardflow.chat.intent_prompt import rows
from cardflow.chat.receipts import Item, Receipt
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_LISTED = 50
OFFERED = "You asked, so nothing has changed yet. Confirm to do this:"
UNSURE = "I was not sure you asked for a change, so nothing has changed yet. Confirm to do this:"
NEAR_DUPLICATE = "You already have “{row}”, so nothing has changed yet. Confirm to add this as well:"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
Call = tuple[str, Any] | Problem  # a parsed call, or why it could not be read


def _label(item: Any, *, alone: bool = False) -> str:
    """A row in a few words; ``alone`` (one row asked about) also says when it is not done."""
    if isinstance(item, dict):
        for key in ("name", "title", "key"):
            if key in item:
                state = " (done)" if item.get("done") else " (not done)" if alone and "done" in item else ""
                return str(item[key]) + state
    return json.dumps(item, ensure_ascii=False)[:80]


def brief(action: Action, result: Any, noun: str) -> str:
    """A read-only action's result in a few lines: a list's names, anything else as short JSON."""
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        items, count = result["items"], int(result.get("count", len(result["items"])))
        if not count:
            return f"No {noun}s."
        lines = [f"{i}. {_label(r)}" for i, r in enumerate(items[:MAX_LISTED], 1)]
        more = f"\n… and {count - len(lines)} more" if count > len(lines) else ""
        return f"{count} {noun}{'s' if count != 1 else ''}:\n" + "\n".join(lines) + more
    if isinstance(result, dict) and isinstance(result.get("item"), dict):
        return _label(result["item"], alone=True)
    text = json.dumps(result, ensure_ascii=False)
    return f"{text[:300]}{'…' if len(text) > 300 else ''}"


def refuse_control(params: Any, where: str = "") -> None:
    """Model output is untrusted: a control character in any text is refused (the schemas allow them)."""
    if isinstance(params, str) and CONTROL.search(params):
        raise Problem(f"The value of “{where or 'a parameter'}” contains control characters.", field=where or None)
    items = params.items() if isinstance(params, dict) else enumerate(params) if isinstance(params, list) else ()
    for key, value in items:
        refuse_control(value, f"{where}.{key}" if where else str(key))


def noun_of(ctx: Context, action: Action) -> str:
    return str(getattr(ctx.registry.by_name(action.app), "noun", "item"))


def app_title(ctx: Context, action: Action) -> str:
    # A global action (app "") still belongs to an app by its name: home.list_apps is Home's.
    plugin = ctx.registry.by_name(action.app) or ctx.registry.by_name(action.name.partition(".")[0])
    return str(plugin.title) if plugin else "the app"


def resolve(ctx: Context, name: str, params: Any, offered: Sequence[Action]) -> Action:
    """The offered action by name; Problem when it is unknown, elsewhere, or its values carry control bytes."""
    by_name = {a.name: a for a in offered}
    action = by_name.get(name) or ctx.actions.get(name)  # an unknown name is refused here
    if name not in by_name:
        raise Problem(f"“{name}” is not available here: open the {app_title(ctx, action)} app first.")
    refuse_control(params)
    return action


def describe(params: dict[str, Any], action: Action | None = None) -> str:
    """What a proposal shows until it runs: the action's own preview, else its parameters."""
    if action is not None and action.preview is not None:
        try:
            return action.preview(params)[:300]
        except (KeyError, TypeError, ValueError):  # parameters the preview did not expect: list them
            pass
    return "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False)[:120]}" for k, v in params.items())


def needs_confirm(action: Action, params: Any) -> bool:
    """Deletes and reverts ask first, and so does one call that names several rows (a list of ids)."""
    if action.confirm:
        return True
    values = params.values() if isinstance(params, dict) else ()
    return not action.read_only and any(isinstance(v, list) and len(v) > 1 for v in values)


def near_duplicate(ctx: Context, action: Action, params: dict[str, Any], *, profile_id: int) -> str:
    """The row a new row from the assistant would nearly repeat, or "".

    Nearly: one name is the other's words with more around them ("pay rent on time" beside "pay
    rent"). A small model adds a row for a request about one ("help me pay rent on time", "remind
    me why I need to buy milk"); a person who means it clicks once more. The same name again is
    asked for in so many words, so it runs (a task done before may be due again), and names that
    merely share words ("buy milk", "buy bread") are not near.
    """
    props = action.params.get("properties", {})
    if action.read_only or "item" in props or not isinstance(params.get("name"), str):
        return ""
    new = words(params["name"])
    for row in rows(ctx, action.app, profile_id):
        old = words(row)
        if old != new and (times(old, new) or times(new, old)):
            return row
    return ""


async def run_item(ctx: Context, item: Item, action: Action, *, profile_id: int, origin: str | None = None) -> Item:
    """Run one call through the registry and record what became of it on the item."""
    try:
        outcome = await ctx.actions.run(item.action, item.params, actor="assistant", profile_id=profile_id,
                                        origin=origin)
    except Problem as exc:
        item.state, item.summary = "refused", exc.message
        return item
    if action.read_only:
        item.state, item.summary = "answer", brief(action, outcome.result, noun_of(ctx, action))
    else:
        item.state, item.log_id = "done", outcome.log_id
        item.summary = outcome.summary or f"Done: {action.title}."
        # The rows changed, and the model's next decision reads them: evaluate its prompts now, in
        # the background, rather than when the next message is waiting.
        ctx.chat.reread_rows()
    return item


async def act(ctx: Context, calls: Sequence[Call], offered: Sequence[Action], *, profile_id: int,
              asked: bool = False) -> list[Receipt]:
    """The receipts for a reply's calls: answers run now, changes run now or wait for a click.

    ``asked``: the user's message asks (choice.asked), so its changes only wait for a click.
    """
    refused: list[Item] = []
    reads: list[tuple[Item, Action]] = []
    writes: list[tuple[Item, Action]] = []
    for call in calls:
        if isinstance(call, Problem):
            refused.append(Item("(unreadable)", "Not run", state="refused", summary=call.message))
            continue
        name, params = call
        try:
            if not isinstance(params, dict):  # a model may send a bare string or a list
                raise Problem("The parameters must be a JSON object of names and values.")
            action = resolve(ctx, name, params, offered)
            if not action.read_only:  # a call the registry would refuse is never shown with Confirm
                ctx.actions.prepare(action.name, params, actor="assistant", profile_id=profile_id)
        except Problem as exc:
            refused.append(Item(str(name)[:80], str(name)[:80], state="refused", summary=exc.message))
            continue
        item = Item(action.name, action.title, params if isinstance(params, dict) else {})
        item.summary = describe(item.params, action)  # what a proposal shows until it runs
        (reads if action.read_only else writes).append((item, action))
    receipts: list[Receipt] = []
    if reads:
        done = [await run_item(ctx, item, action, profile_id=profile_id) for item, action in reads]
        receipts.append(Receipt("answer", done, app_title(ctx, reads[0][1])))
    repeated = next((row for i, a in writes if (row := near_duplicate(ctx, a, i.params, profile_id=profile_id))), "")
    if writes and asked:
        receipts.append(Receipt("proposal", [i for i, _ in writes], state="proposed", note=OFFERED))
    elif writes and repeated:
        receipts.append(Receipt("proposal", [i for i, _ in writes], state="proposed",
                                note=NEAR_DUPLICATE.format(row=repeated)))
    elif writes and (len(writes) > 1 or any(needs_confirm(a, i.params) for i, a in writes)):
        receipts.append(Receipt("proposal", [i for i, _ in writes], state="proposed"))
    elif writes:
        receipts.append(Receipt("done", [await run_item(ctx, i, a, profile_id=profile_id) for i, a in writes]))
    if refused:
        receipts.append(Receipt("done", refused))
    return receipts


async def offer(ctx: Context, name: str, params: dict[str, Any], offered: Sequence[Action], *,
                profile_id: int, note: str = OFFERED) -> list[Receipt]:
    """A change the user's message might have meant, as a proposal: nothing when it would not validate.

    The registry's own checks run first (``prepare``), so Confirm is never offered for a call it
    would refuse; they run again, with the rows as they are then, when Confirm is clicked.
    """
    try:
        action = resolve(ctx, name, params, offered)
        ctx.actions.prepare(name, params, actor="assistant", profile_id=profile_id)
    except Problem:
        return []
    item = Item(action.name, action.title, params, summary=describe(params, action))
    receipts = [Receipt("proposal", [item], state="proposed", note=note)]
    # The row as it is, from the app: a question about it ("have I paid the water bill?") gets an
    # exact answer beside the model's words.
    if isinstance(params.get("item"), str):
        receipts = [*await show_row(ctx, params["item"], action.app, offered, profile_id=profile_id), *receipts]
    return receipts


def row_reader(offered: Sequence[Action], app: str) -> Action | None:
    """The app's own read of one row: a read-only action of ``app`` that takes an ``item``."""
    return next((a for a in offered if a.app == app and a.read_only
                 and "item" in a.params.get("properties", {})), None)


async def show_row(ctx: Context, item: str, app: str, offered: Sequence[Action], *, profile_id: int) -> list[Receipt]:
    """One row as it is now, read by the app (“From Tasks: pay the water bill (not done)”), if it can."""
    reader = row_reader(offered, app)
    if reader is None:
        return []
    return await act(ctx, [(reader.name, {"item": item})], offered, profile_id=profile_id)


async def confirm(ctx: Context, receipt: Receipt, *, profile_id: int) -> Receipt:
    """Run a proposal's calls (the user clicked Confirm) and turn it into an ordinary receipt."""
    for item in receipt.items:
        if item.state != "proposed":
            continue
        try:
            action = ctx.actions.get(item.action)
        except Problem as exc:
            item.state, item.summary = "refused", exc.message
            continue
        await run_item(ctx, item, action, profile_id=profile_id)
    receipt.kind, receipt.state = "done", "confirmed"
    return receipt


def cancel(receipt: Receipt) -> Receipt:
    for item in receipt.items:
        if item.state == "proposed":
            item.state = "cancelled"
    receipt.state = "cancelled"
    return receipt
