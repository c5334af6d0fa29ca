"""The shell's own routes: home redirect, app landing pages, profile/theme choice, SSE, poke, help."""

from __future__ import annotations

from typing import Any

from fasthtml.common import FT, H1, H2, A, Code, Div, Li, P, Response, Ul, to_xml
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from cardflow.db import parse_id
from cardflow.plugins import AppPlugin, Context, Registry, route
from cardflow.ui.components import Toast
from cardflow.ui.fragments import chat_column
from cardflow.ui.layout import new_client_id, page

HOME_APP = "home"


def render_app_page(ctx: Context, registry: Registry, plugin: AppPlugin | None, req: Request,
                    content: Any = None) -> HTMLResponse:
    if content is None and plugin is not None:
        content = plugin.render(req)
    markup = page(ctx, registry, plugin, content, chat_column(ctx, ctx.current_profile_id()), new_client_id())
    # The same Vary header FastHTML puts on the pages it renders itself.
    return HTMLResponse(markup, headers={"vary": "HX-Request, HX-History-Restore-Request"})


def error_shell_page(ctx: Context, title: str, message: str) -> str:
    """An error page drawn inside the shell (nav, theme, chat), for errors.error_page."""
    content = Div(H1(title), P(message), P(A("Back to Cardflow", href="/")), cls="error-page")
    chat = chat_column(ctx, ctx.current_profile_id())
    return page(ctx, ctx.registry, None, content, chat, new_client_id(), title=title)


def add_shell_routes(ctx: Context, registry: Registry) -> None:
    app = ctx.app
    store = ctx.db.store
    ctx.error_shell = lambda title, message: error_shell_page(ctx, title, message)

    @route(app, "/", ["get"], "index")
    async def index(req: Request) -> Any:
        plugin = registry.by_name(store.get("last_app_choice", HOME_APP)) or registry.by_name(HOME_APP)
        return render_app_page(ctx, registry, plugin, req)

    for plugin in registry.plugins:
        _add_landing(ctx, registry, plugin)

    @route(app, "/profile/select", ["post"], "profile_select")
    async def profile_select(req: Request) -> Any:
        form = await req.form()
        raw = str(form.get("profile_id", ""))
        pid = parse_id(raw)
        profile = ctx.db.profiles.get(pid, default=None) if pid is not None else None
        if profile is None:
            return Response(to_xml(Toast("That profile does not exist any more.", "error")), status_code=404,
                            media_type="text/html")
        await ctx.actions.run("profiles.switch", {"id": profile.id}, actor="ui")
        back = req.headers.get("referer") or "/"
        return RedirectResponse(back if _same_site_path(back) else "/", status_code=303)

    @route(app, "/theme", ["post"], "theme")
    async def theme() -> Any:
        store["theme"] = "dark" if store.get("theme", "light") == "light" else "light"
        return Response(status_code=204, headers={"HX-Trigger": "theme-changed"})

    @route(app, "/sse", ["get"], "sse")
    async def sse(req: Request) -> Any:
        return ctx.events.response(req, ctx.current_profile_id())

    @route(app, "/poke", ["post"], "poke")
    async def poke() -> Any:
        n = store.get("poke_count", 0) + 1
        store["poke_count"] = n
        ctx.events.publish("toast", to_xml(Toast(f"Poke #{n}: the server is listening and the live link works.")))
        return Response(status_code=204)

    @route(app, "/help", ["get"], "help")
    async def help_page(req: Request) -> Any:
        return render_app_page(ctx, registry, None, req, help_content(registry))

    @route(app, "/jobs/{job_id}/cancel", ["post"], "job_cancel")
    async def job_cancel(job_id: str) -> Any:
        jid = parse_id(job_id)
        if jid is None or not ctx.jobs.cancel(jid):
            return Response(to_xml(Toast("That job is not running.", "error")), media_type="text/html",
                            headers={"HX-Reswap": "none"})
        return Response(status_code=204)

    @route(app, "/health", ["get"], "health")
    async def health() -> Any:
        return {"ok": True}


def _same_site_path(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return bool(parts.path.startswith("/")) and not parts.path.startswith("//")


def _add_landing(ctx: Context, registry: Registry, plugin: AppPlugin) -> None:
    async def landing(req: Request) -> Any:
        if ctx.db.store.get("last_app_choice") != plugin.name:
            ctx.db.store["last_app_choice"] = plugin.name
            _announce_app_switch(ctx, plugin)
        return render_app_page(ctx, registry, plugin, req)

    route(ctx.app, plugin.path, ["get"], f"{plugin.name}:landing")(landing)


def _announce_app_switch(ctx: Context, plugin: AppPlugin) -> None:
    """Hot prompt injection: the chat learns which app is open (and the history shows it)."""
    ctx.chat.on_app_switch(plugin)


def help_content(registry: Registry) -> FT:
    return Div(
        H1("Help"),
        P("Cardflow runs step-by-step work as workflows of cards. Each workflow run has a key you choose, "
          "such as a URL; its whole state is saved under that key, so opening the same key later resumes "
          "where you stopped."),
        H2("Apps"),
        Ul(*[Li(A(p.title, href=p.path), ": ", p.description) for p in registry.menu()]),
        H2("Tips"),
        Ul(Li("Switch profile from the Profile menu: tasks, chat history and workflow keys follow the profile."),
           Li("Poke checks the live connection: the server answers with a notice."),
           Li("Everything is stored in one SQLite file in your data dir; run ", Code("cardflow doctor"),
              " to see where.")),
        cls="help",
    )
