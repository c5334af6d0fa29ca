"""Petiteflow: a workflow of one step, the least there is."""

from cardflow.workflow import Step, TextArea, Workflow


class Petiteflow(Workflow):
    name = "petiteflow"
    title = "Petiteflow"
    order = 25
    description = "One step: jot a note under a key, finalize it, come back to it later."
    steps = [Step("note", "Your note", TextArea(required=True, rows=4))]
