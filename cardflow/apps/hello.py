"""Hello workflow: the smallest useful example of the declarative API (see docs/workflows.md)."""

from cardflow.workflow import Step, Text, Workflow


class Hello(Workflow):
    name = "hello"
    title = "Hello workflow"
    order = 20
    description = "Two steps and a finalize: type your name, accept or edit the greeting."
    prompt = ("The user is running the Hello workflow: step one asks their name, step two proposes a "
              "greeting from it, then they finalize. Help them through it briefly.")
    steps = [
        Step("name", "Your name", Text(required=True, max_length=100, placeholder="Ada Lovelace")),
        Step("greeting", "Greeting", Text(required=True), suggest=lambda values: f"Hello, {values['name']}!"),
    ]
