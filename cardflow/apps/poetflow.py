"""Poetflow: a topic, a poem the local model streams into the card, your edit, finalize."""

from __future__ import annotations

from typing import Any

from cardflow import model_calls
from cardflow.errors import Problem
from cardflow.jobs import JobContext
from cardflow.workflow import Step, Text, TextArea, Workflow

POEM_PROMPT = ("You are a poet. Write one short poem of 4 to 8 lines about the topic the user gives. "
               "Reply with the poem only: no title, no explanation.")


async def write_poem(wf: Workflow, ctx: JobContext) -> dict[str, Any]:
    chat = wf.ctx.chat
    backend, _reason = await chat.backend()
    topic = ctx.params["values"]["topic"]
    messages = [{"role": "system", "content": POEM_PROMPT}, {"role": "user", "content": f"Topic: {topic}"}]
    text = ""
    await ctx.progress(5, f"Asking {backend.name} for a poem…")
    async for chunk in backend.stream(messages, model=chat.model(), options={"max_tokens": 200, "idle_timeout": 30.0}):
        text += chunk
        ctx.detail["text"] = text
        # The bar creeps towards 95%: a poem has no known length until the model stops.
        await ctx.progress(min(95.0, 5 + len(text) / 4), "Writing…", persist=False)
    poem = text.strip()
    # Recorded even when empty: the run's receipt shows what the model was asked and what it said.
    model_calls.record(wf.ctx.db, key=ctx.key, app=wf.name, step=ctx.step, backend=backend.name,
                       model=chat.model(), messages=messages, reply=text)
    if not poem:
        raise Problem("The model returned an empty poem. Retry, or pick another backend in the chat settings.")
    ctx.detail["text"] = poem
    await ctx.progress(100, f"Written by {backend.name}.")
    return {"poem": poem}


class Poetflow(Workflow):
    name = "poetflow"
    title = "Poetflow"
    order = 30
    description = "Give a topic; the local model writes a poem into the card; edit or accept it, then finalize."
    prompt = ("The user is in Poetflow: they give a topic, the model writes a short poem, they edit it and "
              "finalize. Help with ideas for topics or with editing the poem.")
    steps = [
        Step("topic", "Topic", Text(required=True, max_length=200, placeholder="autumn rain on a tin roof")),
        Step("poem", "The model's poem", job=write_poem,
             help="The poem streams in here; nothing is saved until it is complete."),
        Step("final", "Your version", TextArea(required=True, rows=8), suggest=lambda values: values["poem"],
             help="Edit the poem, or keep it as it is, then save."),
    ]
