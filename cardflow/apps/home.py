"""The home app: what Cardflow is, and a way into every app."""

from __future__ import annotations

from fasthtml.common import H1, A, Div, Li, NotStr, P, Small, Ul
from starlette.requests import Request

from cardflow.actions import Action
from cardflow.actions.shell_actions import app_actions
from cardflow.plugins import AppPlugin, Registry
from cardflow.ui.fragments import Memo
from cardflow.ui.layout import html, menu_key


class Home(AppPlugin):
    name = "home"
    title = "Home"
    order = 0
    description = "What Cardflow is, and every app in one list."
    prompt = ("The user is on the home page of Cardflow, which lists the apps. Explain what each app does "
              "if asked, and suggest one that fits what they want to do.")

    def actions(self) -> list[Action]:
        return app_actions(self.name, self.ctx)

    def render(self, req: Request) -> NotStr:
        # Drawn from the registry alone, so it is built once per menu (see cardflow/ui/fragments.py).
        registry = self.ctx.registry
        return NotStr(_home_pages.get((menu_key(registry), self.name), lambda: self._build(registry)))

    def _build(self, registry: Registry) -> str:
        apps = [p for p in registry.menu() if p.name != self.name]
        return html(Div(
            H1("Cardflow"),
            P("Turn step-by-step work into resumable web workflows. Each workflow is a chain of cards; "
              "its state is saved under a key you choose, so you can stop at any step and come back later. "
              "The assistant on the right runs on a local model and knows which app you have open."),
            P(Small("Everything stays on this machine: one SQLite file, no cloud account.", cls="muted")),
            Ul(*[Li(A(p.title, href=p.path), " — ", p.description) for p in apps], id="app-list"),
            cls="home",
        ))


_home_pages = Memo(16)
