"""Switching: which profile is current, which app is open (declared by Profiles and Home)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import A, Div, Small, to_xml

from cardflow.actions.base import Action, Call
from cardflow.actions.resolve import pick
from cardflow.actions.schema import integer, obj, string

if TYPE_CHECKING:
    from cardflow.plugins import Context


def tell_other_pages(call: Call, profile: Any) -> None:
    """Pages showing another profile keep acting in it; they get a notice that does not block."""
    events = call.ctx.events
    if not events.client_count:
        return
    for other in call.ctx.db.profiles():
        if other.id == profile.id:
            continue
        notice = Div(Small(f"Another tab switched to “{profile.name}”. This page still shows “{other.name}”, "
                           f"and changes made here go to “{other.name}”. "),
                     A(f"Open {profile.name} here", href="/"), cls="profile-notice")
        events.publish("profile-switched", to_xml(notice), profile_id=other.id)


def switch_profile_action(app: str) -> Action:
    def switch(call: Call) -> dict[str, Any]:
        rows = call.ctx.db.profiles(order_by="priority, id")
        profile = pick(rows, item_id=call.params.get("id"), name=call.params.get("item"), noun="profile",
                       name_of=lambda r: str(r.name))
        call.set_store("last_profile_id", profile.id)
        tell_other_pages(call, profile)
        call.say(f"Switched to the profile “{profile.name}”.")
        return {"profile": {"id": profile.id, "name": profile.name}}

    return Action(f"{app}.switch", "Make another profile the current one (its tasks, chat and runs follow).",
                  switch, obj({"id": integer("The profile's id.", minimum=1),
                               "item": string("The profile's name, as the user said it.", max_length=200)}),
                  app="", rows_of=app, examples=("switch to my work profile",))


def app_actions(app: str, ctx: Context) -> list[Action]:
    def names() -> list[str]:
        return [p.name for p in ctx.registry.menu()]

    def list_apps(call: Call) -> dict[str, Any]:
        return {"apps": [{"name": p.name, "title": p.title, "description": p.description, "path": p.path}
                         for p in ctx.registry.menu()],
                "current": call.ctx.db.store.get("last_app_choice", "home")}

    def open_app(call: Call) -> dict[str, Any]:
        wanted = call.params["app"]
        plugin = ctx.registry.by_name(wanted) or pick(ctx.registry.menu(), item_id=None, name=wanted, noun="app",
                                                      name_of=lambda p: f"{p.name} {p.title}")
        before = call.ctx.db.store.get("last_app_choice")
        call.set_store("last_app_choice", plugin.name)
        if before != plugin.name:
            ctx.chat.on_app_switch(plugin)
        call.say(f"Opened {plugin.title}.")
        return {"app": plugin.name, "url": plugin.path}

    return [
        Action(f"{app}.list_apps", "List the apps (workflows, Tasks, the link graph...) and which one is open.",
               list_apps, obj(), read_only=True, app="", examples=("which apps are there?",)),
        Action(f"{app}.open_app", "Open another app: " + ", ".join(names()) + ".", open_app,
               obj({"app": string("The app's name.", max_length=100, min_length=1)}, ["app"]), app="",
               named={"app": lambda: [p.title for p in ctx.registry.menu()]}, examples=("go to the hello workflow",)),
    ]
