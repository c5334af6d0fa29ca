"""Eval: natural-language task commands through the embedded model (DESIGN.md §5, "Actions").

    python bench/actions_eval.py [--verbose] [--only SUBSTRING] [--group dev|held-out|fresh|new|blind|unseen|sealed|closed|post|later|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twentyfirst|asked|statements|toggles|probe] [--ttft]

Builds the app on a temp data dir, with a second profile whose tasks must never change.
For each case the current profile's tasks are reset to the seed, then the text goes through
the production path with the Tasks app open: ``intent.decide`` on the REAL ``EmbeddedBackend``
for every message (one grammar over the registry's actions for the app, no keyword gate) ->
the action registry (actor "assistant"); a write decided for a question is refused, as the
orchestration does. The resulting task table is compared with the expected one (names
case-insensitive). A "list" case also needs a read-only action to have run; a "confirm" case
needs the registry to have asked which one (a 409 refusal); a "question" must change nothing.
An action that asks first (``confirm``: a delete, a clear) is run for a command as if Confirm were
clicked, to see whether the click would do what was asked; for a line that asks for no change it
stops at the proposal, as in the app, and the summary names those lines.

Groups: "dev", "held-out" and "fresh" are the old sets (tuned on, or written before earlier
tuning rounds, for the keyword-gated design); "new" (bench/actions_eval_new.py, 65 cases) was
written for issue 15 before any work on the current design and is never tuned on; "blind"
(bench/actions_eval_blind.py, 60 cases) was written on 2026-12-04, after the new set's failures
had been read, and before any change that session, and is never tuned on; "asked"
(bench/actions_eval_asked.py, 48 questions, half without "?") probes that a question never writes;
"statements" (bench/actions_eval_statements.py, 14 remarks and 6 statements that ask for a change)
probes that a remark naming a task's words never writes; "toggles" (bench/actions_eval_toggles.py, 46
ticks and un-ticks in other words, tuned on) measures a toggle's value (chat/flags.py); "probe"
(bench/actions_eval_probe.py, 61 cases, written on 2026-12-04 before it was first run) has ticks on
unseen tasks, requests to the assistant that are none to the app (some naming a task's words),
remarks about a task's subject, and positions said as ordinals; "unseen"
(bench/actions_eval_unseen.py, 61 cases) was written on 2026-12-05 before that session changed
anything, after the new and blind sets had been read too often to judge a change blind; "sealed"
(bench/actions_eval_sealed.py, 61 cases) was written after that session's changes, before any run
of them, and run once on them; "closed" (bench/actions_eval_closed.py, 61 cases) was written on
2026-12-05 at the start of the next session, before it changed the assistant; "post"
(bench/actions_eval_post.py, 61 cases) was written after that session's changes, before any run.
"later" (bench/actions_eval_later.py, 61 cases) was written after the post set's first run, with
no change since, as a second blind figure of the same code. "third" (bench/actions_eval_third.py,
61 cases) was written in the next session, which kept no change to the assistant, before its run:
a third blind figure of the same code. Third, first run: 55/61, commands 35/39, one hostile line
changed a task (a function word named a row; fixed after), receipt p50 1.26 s.
"fourth" (bench/actions_eval_fourth.py, 62 cases) was written on 2026-12-05 (08:40) by a helper
that had not seen the assistant's code or its failures, before any run. "fifth"
(bench/actions_eval_fifth.py, 62 cases) was written at 09:00 the same way, before any run, as the
blind set for the code that followed the fourth set's first run. Fourth, first run: 43/62,
commands 21/40, non-commands unchanged 20/20 (the code before it: commands 20/40, two remarks
wrote). Fifth, first run: 46/62, commands 24/40, non-commands unchanged 20/20, receipt p50 1.53 s.
"sixth" (bench/actions_eval_sixth.py, 62 cases) was written on 2026-12-05 (10:40) the same way, by a
helper that had seen none of the earlier sets, before any run. "seventh" (bench/actions_eval_seventh.py,
62 cases) on 2026-12-05 (13:30, the next session) the same way, committed before any run, and
"eighth" (bench/actions_eval_eighth.py, 62 cases) at 15:10 in the session after, the same way, and
"ninth" (bench/actions_eval_ninth.py, 62 cases) at 17:15 in the session after that, the same way,
and "tenth" (bench/actions_eval_tenth.py, 62 cases) at 19:25 in the next session, the same way, and
"eleventh" (bench/actions_eval_eleventh.py, 62 cases) at 21:55 in the session after, the same way, and
"twelfth" (bench/actions_eval_twelfth.py, 60 cases) at 00:45 on 2026-12-06, in the next session, the same way,
and "thirteenth" (bench/actions_eval_thirteenth.py, 60 cases) at 03:25 in the session after, the same way,
and "fourteenth" (bench/actions_eval_fourteenth.py, 60 cases) at 04:00 in the same session, the same way,
and "fifteenth" (bench/actions_eval_fifteenth.py, 60 cases) at 04:58 in the same session, the same way,
and "sixteenth" (bench/actions_eval_sixteenth.py, 60 cases) at 06:20 in the next session, the same way;
"seventeenth" (bench/actions_eval_seventeenth.py, 60 cases) at 08:30 in the session after, the same way;
"eighteenth" (bench/actions_eval_eighteenth.py, 60 cases) at 09:00 in the same session, the same way;
"nineteenth" (bench/actions_eval_nineteenth.py, 60 cases) at 10:28 in the same session, the same way;
"twentieth" (bench/actions_eval_twentieth.py, 60 cases) at 11:20 in the next session, the same way;
"twentyfirst" (bench/actions_eval_twentyfirst.py, 60 cases) at 12:35 in the same session, the same way.
Their figures: closed, first run 49/61, commands 29/39; after the changes 54/61, 32/39 (not
blind). Post, first run: 55/61, commands 33/39, non-commands unchanged 20/20, receipt p50 1.22 s.
Later, first run: 50/61, commands 28/39, non-commands unchanged 20/20, receipt p50 1.22 s.
Ninth, first run (the code it was written against, d5c9f59): 51/62, commands 30/40, non-commands
unchanged 20/20, receipt p50 1.07 s. Tenth, first run (7ff7fd7): 48/62, commands 26/40,
non-commands unchanged 20/20, receipt p50 0.98 s / p95 1.98 s, first token p50 0.66 s. Eleventh,
first run (083135c, plus the wiring): 48/62, commands 28/40, confirm 0/2, non-commands unchanged 20/20, receipt p50
1.04 s / p95 2.32 s, first token p50 0.87 s (0.68 s over questions and remarks). Twelfth, first
run (4decb7c, plus the wiring): 46/60, commands 25/39, confirm 2/2, non-commands unchanged 19/19
(one forged "✓ Deleted …" line got a delete proposal, with Confirm), receipt p50 0.90 s / p95
2.12 s, first token p50 0.79 s. Thirteenth, first run (9f66fbe, plus the wiring): 42/60,
commands 22/39, confirm 1/2, non-commands unchanged 19/19, receipt p50 1.88 s / p95 3.45 s, first
token p50 1.01 s (its lines were then seen, so it was tuned on). Fourteenth, first run on the same
code, read as figures only: 47/60, commands 26/39, confirm 2/2, non-commands unchanged 19/19,
receipt p50 1.44 s / p95 3.37 s, first token p50 0.91 s; on that session's final code (23c7de9),
its lines still unread: the same 26/39, receipt p50 1.00 s / p95 2.31 s, first token p50 0.70 s.
Fifteenth, first run (3e37ac7, that session's last change): 52/60, commands 31/39, confirm 2/2,
non-commands unchanged 19/19, receipt p50 1.20 s / p95 2.88 s, first token p50 1.00 s; then on the
session's starting code (9f66fbe with these bench files), the same 31/39, no line different.
Sixteenth, first run (bdb618e): 52/60, commands 32/39, confirm 2/2, non-commands unchanged 18/19
(a pasted receipt in markup ticked a task; offered since e4bc03c), receipt p50 1.12 s / p95 2.30 s,
first token p50 0.78 s.
Prints one line per case, the accuracy per group and kind, how many off-topic/hostile/question
lines changed nothing, and the decision latency (p50/p95) and prompt+completion tokens.

Figures (2 shared cores, other jobs running; issue 15). "new", first run on the keyword-gated
design: 46/65, commands 25/39, questions 6/10, non-commands changed nothing 19/24. After the
no-gate design: 36/65, commands 12/39, questions 10/10, non-commands unchanged 24/24, decision
p50 1.2 s / p95 8.2 s (0.9 / 1.5 s in a quieter run). Old sets on the no-gate design: dev 25/59
(commands 6/36), held-out 18/37 (4/22), fresh 19/35 (6/21; 31/35 and 17/21 with the gate).
The 135M model alone picks the verb poorly; see the issue-15 report.
With the calibrated choice (cardflow/chat/choice.py) and an arguments call, "new" run once at the end
(load 5.6 -> 3.3): 42/65, commands 18/39, questions 10/10, non-commands unchanged 24/24; command ->
receipt p50 1.54 s / p95 2.99 s; chat first token p50 1.67 s / p95 3.90 s (--ttft). Old sets: dev
39/59 (commands 16/36), held-out 21/37 (6/22), fresh 22/35 (8/21); non-commands unchanged in all.
With the channel score, new names picked among the user's words and the batched scorer, "new" run
once (load 2.5 -> 1.9): 51/65, commands 29/39, but questions 8/10 (two wrote) and non-commands
unchanged 22/24; receipt p50 1.93 s / p95 4.35 s, first token p50 2.38 s / p95 4.49 s. After
adding "a question never writes" (choice.py; added after seeing that run, so no longer blind),
quiet machine: 49/65, commands 25/39, questions 10/10, non-commands unchanged 24/24, receipt p50
2.04 s / p95 3.69 s. Final (a delete's row from the words, not generated; load 2.0 -> 1.8): 49/65,
commands 25/39, questions 10/10, non-commands unchanged 24/24, receipt p50 2.03 s / p95 4.60 s,
first token p50 1.23 s / p95 4.94 s. Old sets now: dev 23/36 commands, held-out 14/22, fresh
9/21 (25, 16, 13 without the question gate); non-commands unchanged in all.
With --warm-rows (the app now reads changed rows in the background, as it would while the user
types; 2026-12-02 21:26): the same 49/65 and 25/39, receipt p50 1.81 s / p95 3.70 s, first token
p50 1.05 s / p95 3.52 s. With a change's call started pre-written (intent_prompt.forced; 21:50): the same
49/65 case for case, receipt p50 1.62 s / p95 3.58 s, first token p50 1.11 s. Old sets then (cold):
dev 24/36 commands, held-out 14/22, fresh 10/21; non-commands unchanged; receipt p50 1.58-1.63 s.
2026-12-03: a change for a message that asks is offered, not run; "asks" = a sentence ends with
"?", or "?" is the model's likeliest end of the message (choice.reads_as_question). New set (06:02,
load 1.3 -> 1.7, --warm-rows --ttft): 52/65, commands 26/39 run right and 2 more offered exactly,
confirm 2/2, questions 10/10, non-commands unchanged 24/24, receipt p50 1.41 s / p95 3.35 s, first
token p50 1.32 s (the code of the evening before, same morning: 49/65, 25/39, receipt p50 1.38 s,
first token 1.02 s over a different set of answered messages). "asked": 48/48 unchanged (41/48
before). Old sets (cold): dev 25/36, held-out 15/22, fresh 13/21; non-commands unchanged.
2026-12-03 10:42, the model run as Q8_0 (chat/backends/model_file.py): new 54/65, commands 28/39
(+2 offered exactly), confirm 2/2, questions 10/10, non-commands unchanged 24/24, receipt p50
1.38 s / p95 2.95 s, first token p50 1.00 s (2.65 s on the Q4_1 file the same morning, same slow
machine). Old sets (cold): dev 24/36, held-out 16/22, fresh 12/21; asked 48/48 unchanged.
Then (11:21-11:51): up to three examples an action, a new name never the whole message: new
56/65, commands 30/39, questions 10/10, non-commands unchanged 24/24, receipt p50 1.23 s / p95
3.14 s, first token p50 0.80 s (questions and chatter 0.66 s); old sets dev 26/36, held-out
17/22, fresh 14/21; asked 48/48.
2026-12-03 afternoon, on a machine ~1.5x slower: a toggle's value scored, not written
(chat/flags.py), and a close runner-up when the words cannot support the choice
(choice.runners_up). New set, paired with the session-start code on the same machine: 57/65 and
commands 31/39 for both (30/39 at 11:34 was the same code a run earlier), receipt p50 2.76 s ->
2.19 s / p95 6.43 -> 6.55 s, first token p50 1.88 -> 1.76 s. Old sets: dev 27 -> 29/36,
held-out 16 -> 17/22, fresh 15 -> 15/21; statements 14/14 remarks unchanged; asked 48/48.
2026-12-03 late evening: a toggle's value read two ways (chat/flags.py), new names made of a row's
own words refused (chat/grounding.py), and kept scorer prompts sharing their cells: new 59/65,
commands 33/39 as before, case for case (not blind: one of its lines chose the flags design),
receipt p50 2.26 s / p95 5.64 s, first token p50 1.24 s (questions and chatter 1.10 s); toggles
18 -> 20-23/46 over four runs.
2026-12-04: the blind set, first run before any change (04:38): 41/60, commands 20/38, confirm 1/2,
questions 8/8, non-commands unchanged 20/20, receipt p50 1.43 s / p95 4.79 s. After a move's
position scored (chat/values.py) and names picked around the model's copy (05:30): 43/60, commands
21/38 (one of the two gains chosen after seeing its line), receipt p50 1.82 s / p95 3.56 s; new set
59/65, commands 33/39, receipt p50 1.21 s / p95 3.63 s, first token p50 1.10 s. With a read or a
delete tried as a runner-up from 3 nats (choice.FAR; 06:20): blind 44/60, commands 22/38, receipt
p50 1.58 s / p95 3.11 s; new 59/65, 33/39, receipt p50 1.52 s / p95 2.95 s, first token p50 0.85 s.
Afternoon, a position must lead the next by 0.5 nats (values.DISTINCT) and every offered action's
description starts with a verb (13:00-13:19; the same code at 12:05 gave blind 44/60, 22/38): blind
43/60, commands 21/38, non-commands unchanged 20/20, receipt p50 1.48 s / p95 3.02 s; new 59/65,
33/39, receipt p50 1.24 s / p95 2.98 s; dev 28/36, held-out 16/22, fresh 15/21, toggles 20/46,
statements 0/6 with 14/14 remarks unchanged, asked 48/48. First token (--ttft): new p50 0.95 s,
blind 1.13 s. With another app's rows grounded like the open app's (intent._rows_for; 13:45-14:04): the
same figures in every set; "I have to renew my passport" answered in words instead of a refused switch.
Evening, the scorer decoding only tokens that predict and long prompts in a cache of their own (no
decision changed by design), then an app to open named by the words (Action.named; 15:36-16:15):
new 59/65, commands 33/39 in both runs, receipt p50 0.95-1.15 s / p95 2.12-2.83 s, first token p50
0.69-0.80 s (questions and chatter 0.65-0.72 s); blind 44/60, commands 22/38, receipt 0.91-0.99 /
2.56-2.60 s, first token 0.66-0.82 s (0.64-0.77 s); dev 27/36, held-out 17/22, fresh 15/21, toggles
19/46, statements 0/6 with 14/14 remarks unchanged, asked 48/48.
"probe", 2026-12-04 night (docs/assistant.md, "Ordinals, a probe set"): first run commands 4/17
(ticks 2/12), non-commands unchanged 41/44; with ordinals read as numbers, commands 6/17, 41/44;
with a near repeat of a row asking first (acting.near_duplicate, counted here as not run), 43/44.
An offered call is what `assist._offer` would show; "offered exactly" runs it as Confirm would.
Always exits 0: it reports, it does not gate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.actions_eval_cases import CASES, OTHER_PROFILE, Case, expected, reset, state  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--only", default="", help="run the cases whose text contains this")
    parser.add_argument("--group", default="",
                        help="run only this group (dev, held-out, fresh, new, blind, asked, statements, toggles, "
                             "probe, unseen, sealed, closed, post, later, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth, eleventh, twelfth, thirteenth, fourteenth, fifteenth, sixteenth, seventeenth, eighteenth, nineteenth, twentieth, twentyfirst)")
    parser.add_argument("--ttft", action="store_true",
                        help="also time the first token of the chat answer for each message decided as chat")
    parser.add_argument("--warm-rows", action="store_true",
                        help="after each case's rows are set, warm as the app does once the user's own edits "
                             "pause (ChatService.after_change), before the message; without it every message "
                             "meets rows the model has not read yet")
    args = parser.parse_args()

    from cardflow.app import build_app
    from cardflow.chat import intent as intent_module
    from cardflow.chat.acting import near_duplicate
    from cardflow.chat.backends import BackendError, EmbeddedBackend
    from cardflow.config import Settings
    from cardflow.errors import Problem

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cardflow-actions-") as tmp:
        app = build_app(Settings(data_dir=Path(tmp), open_browser=False, llm="embedded"))
        ctx = app.state.ctx
        registry = ctx.registry
        tasks, profiles = registry.by_name("tasks"), registry.by_name("profiles")
        pid = ctx.current_profile_id()
        other = profiles.insert_item(pid, {"name": "Other client"}).id
        reset(tasks, other, OTHER_PROFILE)
        other_before = state(tasks, other)
        profiles_before = [(p.id, p.name, p.active) for p in profiles.items(pid)]
        backend = EmbeddedBackend(idle_timeout=600)  # a loaded machine must not turn slow cases into chat
        ctx.db.store["last_app_choice"] = "tasks"  # the assistant sees the Tasks app's actions
        offered = ctx.actions.for_app("tasks")
        try:
            await backend.stream([{"role": "user", "content": "hi"}], options={"max_tokens": 1}).__anext__()
        except BackendError as exc:  # load the model before timing the cases
            print(f"The embedded model cannot run: {exc}")
            return
        await ctx.chat.warm_prompts(backend, "tasks", pid)  # as after opening the app
        load_s = time.perf_counter() - started
        tokens: list[int] = []

        cases = [c for c in CASES if args.only.lower() in c.text.lower() and args.group in ("", c.group)]
        results: list[tuple[Case, bool, bool]] = []  # (case, right, changed nothing)
        latencies: list[float] = []
        receipts: list[float] = []  # command -> receipt: the decision plus the registry's run
        first_tokens: list[float] = []  # message -> first token of the answer, for messages answered in words
        spoken: list[float] = []  # the same for the questions and chatter alone: no command failed before them
        proposed: list[str] = []  # lines asking for no change that got a Confirm/Cancel proposal (not run)
        offers: dict[str, int] = {}  # a change offered, not run: what its Confirm would have done
        offered_right = {False: 0, True: 0}  # commands not run but offered exactly (by ``unsure``): one click away
        for case in cases:
            reset(tasks, pid, case.seed)
            if args.warm_rows:  # the rows as the user left them, read by the app before they type
                await ctx.chat.warm_prompts(backend, "tasks", pid)
            before = state(tasks, pid)
            decision_started = time.perf_counter()
            decision = await intent_module.decide(ctx, backend, case.text, offered, app_name="tasks",
                                                  profile_id=pid, model=None)
            took, message, read, asked = decision.seconds, "", False, False
            latencies.append(took)
            tokens.append(decision.tokens)
            if decision.kind == "action" and not decision.offer:  # an offer waits for a click (below)
                action = ctx.actions.get(decision.action)
                read = action.read_only
                try:  # the registry's own run, as assist.execute does it, to see the refusal's status
                    if action.confirm and case.kind not in ("command", "confirm"):
                        # A line that asks for no change stops at the proposal, as in the app; a command's
                        # is run as if Confirm were clicked, to see whether the click would be right.
                        proposed.append(case.text)
                        raise Problem("asks first: " + (action.preview(decision.params) if action.preview
                                                        else decision.action), status=409)
                    if decision.question and not read:
                        raise Problem("A question never changes anything.")
                    if near_duplicate(ctx, action, decision.params, profile_id=pid):  # a proposal: no click here
                        raise Problem("asks first: a near repeat of a row", status=409)
                    outcome = await ctx.actions.run(decision.action, decision.params, actor="assistant",
                                                    profile_id=pid)
                    message = outcome.summary or str(outcome.result)[:80]
                except Problem as exc:
                    message, asked = f"refused: {exc.message}", exc.status == 409
            if decision.kind == "action" and not decision.offer:
                receipts.append(time.perf_counter() - decision_started)
            elif args.ttft:
                first_tokens.append(took + await first_token(ctx, backend, case.text))
                if case.kind in ("question", "chatter"):
                    spoken.append(first_tokens[-1])
            after = state(tasks, pid)
            untouched = state(tasks, other) == other_before and \
                [(p.id, p.name, p.active) for p in profiles.items(pid)] == profiles_before
            unchanged = after == before and untouched
            wanted = [(n.lower(), d) for n, d in expected(case)]
            ok = after == wanted and untouched
            ok = ok and (read or case.expect[0] != "list") and (asked or case.kind != "confirm")
            offer = ""
            if decision.offer:  # answered, then offered with Confirm (assist._offer): what a click would do
                offer = "nothing"
                for name in (decision.action, *decision.runners):  # the first that grounds and validates
                    call = await intent_module.arguments(ctx, backend, case.text, ctx.actions.get(name),
                                                         offered, app_name="tasks", profile_id=pid, model=None)
                    if call.kind != "action":
                        continue
                    try:
                        ctx.actions.prepare(call.action, call.params, actor="assistant", profile_id=pid)
                    except Problem:
                        offer = "refused"  # acting.offer shows nothing for it, and the next is tried
                        continue
                    try:
                        await ctx.actions.run(call.action, call.params, actor="assistant", profile_id=pid)
                        offer = "right" if state(tasks, pid) == wanted else "wrong"
                    except Problem as exc:
                        offer = "refused" if exc.status != 409 else "asks"
                    break
                why = "close to words" if decision.unsure else "asked"
                offers[f"{why}: {offer}"] = offers.get(f"{why}: {offer}", 0) + 1
                if case.kind == "command":
                    offered_right[decision.unsure] += offer == "right"
            results.append((case, ok, unchanged))
            shown = {"q": decision.question, "action": decision.action or "chat", **decision.params}
            if offer:
                shown["offer"] = offer + (" (close to words)" if decision.unsure else "")
            print(f"{'ok  ' if ok else 'FAIL'} {took:4.1f}s [{case.kind:7}] {case.text!r:52} -> {shown}"
                  + (f"  | {message.splitlines()[0] if message else ''}" if args.verbose or not ok else ""))
        total_s = time.perf_counter() - started

        def share(rows: list, key: int = 1) -> str:
            n = sum(r[key] for r in rows)
            return f"{n}/{len(rows)} = {100 * n / max(1, len(rows)):.1f}%"

        print(f"\ncases: {len(results)}")
        for group in ("dev", "held-out", "fresh", "new", "blind", "asked", "statements", "toggles", "probe", "unseen", "sealed", "closed", "post", "later", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth", "twentyfirst"):
            rows = [r for r in results if r[0].group == group]
            print(f"  {group:8}: {share(rows)} right; by kind: " + ", ".join(
                f"{kind} {share([r for r in rows if r[0].kind == kind])}"
                for kind in ("command", "confirm", "question", "chatter", "hostile") if any(r[0].kind == kind for r in rows)))
        print(f"accuracy: {share(results)}")
        risky = [r for r in results if r[0].kind in ("question", "chatter", "hostile")]
        print(f"invalid/off-topic changed nothing: {sum(r[2] for r in risky)}/{len(risky)}"
              + (f"; {len(proposed)} of them got a proposal to Confirm: {proposed}" if proposed else ""))
        if offers:
            print(f"offered, not run: {sum(offers.values())}, Confirm would be (by why it was offered) "
                  + ", ".join(f"{k} {v}" for k, v in sorted(offers.items()))
                  + f"; commands offered exactly: {offered_right[False]} asked, {offered_right[True]} close to words")
        if latencies:
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            print(f"model calls: {len(latencies)}, decision p50 {latencies[len(latencies) // 2]:.2f} s, "
                  f"p95 {p95:.2f} s, max {latencies[-1]:.2f} s; tokens p50 {sorted(tokens)[len(tokens) // 2]}; "
                  f"app + model load + warm {load_s:.1f} s; total {total_s:.1f} s")
        for label, values in (("command -> receipt", receipts), ("chat answer, message -> first token", first_tokens),
                              ("  of which questions and chatter", spoken)):
            if values:
                values.sort()
                print(f"{label}: p50 {values[len(values) // 2]:.2f} s, "
                      f"p95 {values[min(len(values) - 1, int(0.95 * len(values)))]:.2f} s (n={len(values)})")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


async def first_token(ctx, backend, text: str) -> float:
    """Seconds to the first token of the chat answer, built as the app builds it (system prompt, history, text)."""
    chat = ctx.chat
    # The eval saves no history, so this is the system prompt (cached by llama.cpp) and the message.
    messages = [*chat.build_messages(ctx.current_profile_id(), chat.system_prompt("tasks")),
                {"role": "user", "content": text}]
    started = time.perf_counter()
    stream = backend.stream(messages, options={"max_tokens": 2, "temperature": 0})
    async for _ in stream:
        break
    took = time.perf_counter() - started
    await stream.aclose()
    while backend.generating:  # the worker stops at its next token; never leave it running at exit
        await asyncio.sleep(0.01)
    return took

if __name__ == "__main__":
    asyncio.run(main())
