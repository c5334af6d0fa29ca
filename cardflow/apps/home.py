"""The home app: what Cardflow is, and a way into every app."""

from __future__ import annotations

from fasthtml.common import FT, H1, A, Div, Li, P, Small, Ul
from starlette.requests import Request

from cardflow.actions import Action
from cardflow.actions.shell_actions import app_actions
from cardflow.plugins import AppPlugin


class Home(AppPlugin):
    name = "home"
    title = "Home"
    order = 0
    description = "What Cardflow is, and every app in one list."
    prompt = ("The user is on the home page of Cardflow, which lists the apps. Explain what each app does "
              "if asked, and suggest one that fits what they want to do.")

    def actions(self) -> list[Action]:
        return app_actions(self.name, self.ctx)

    def render(self, req: Request) -> FT:
        registry = self.ctx.registry
        apps = [p for p in registry.menu() if p.name != self.name]
        return Div(
            H1("Cardflow"),
            P("Turn step-by-step work into resumable web workflows. Each workflow is a chain of cards; "
              "its state is saved under a key you choose, so you can stop at any step and come back later. "
              "The assistant on the right runs on a local model and knows which app you have open."),
            P(Small("Everything stays on this machine: one SQLite file, no cloud account.", cls="muted")),
            Ul(*[Li(A(p.title, href=p.path), " — ", p.description) for p in apps], id="app-list"),
            cls="home",
        )
