"""The page shell: nav (profile and app menus, poke, help, theme), app column, chat column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import (
    FT,
    A,
    Aside,
    Body,
    Button,
    Details,
    Div,
    Form,
    Head,
    Header,
    Html,
    Input,
    Li,
    Link,
    Main,
    Meta,
    Nav,
    Script,
    Section,
    Span,
    Strong,
    Summary,
    Title,
    Ul,
)

from cardflow.ui.components import Icon

if TYPE_CHECKING:
    from cardflow.plugins import AppPlugin, Context, Registry

VENDOR = "/static/vendor"
ASSET_VERSION = "4"  # bump when cardflow.css or cardflow.js changes: browsers cache them


def head(title: str) -> FT:
    return Head(
        Meta(charset="utf-8"),
        Meta(name="viewport", content="width=device-width, initial-scale=1"),
        Meta(name="htmx-config", content='{"includeIndicatorStyles": false, "allowEval": false}'),
        Title(title),
        Link(rel="stylesheet", href=f"{VENDOR}/pico.min.css"),
        Link(rel="stylesheet", href=f"/static/cardflow.css?v={ASSET_VERSION}"),
        Link(rel="stylesheet", href=f"/static/chat.css?v={ASSET_VERSION}"),
        Link(rel="icon", href="/static/favicon.svg", type="image/svg+xml"),
        Script(src=f"{VENDOR}/htmx.min.js"),
        Script(src=f"{VENDOR}/htmx-ext-sse.min.js"),
        Script(src=f"{VENDOR}/htmx-ext-ws.min.js"),
        Script(src=f"{VENDOR}/Sortable.min.js"),
        Script(src=f"/static/cardflow.js?v={ASSET_VERSION}", defer=True),
    )


def profile_menu(ctx: Context) -> FT:
    current = ctx.current_profile_id()
    profiles = ctx.db.profiles(where="active", order_by="priority, id")
    name = next((p.name for p in profiles if p.id == current), None) or ctx.db.profiles[current].name
    items = [
        Li(Form(Input(type="hidden", name="profile_id", value=str(p.id)),
                Button(p.name, type="submit", cls="menu-item" + (" current" if p.id == current else ""),
                       aria_current="true" if p.id == current else None),
                method="post", action="/profile/select"))
        for p in profiles
    ]
    items.append(Li(A("Manage profiles…", href="/profiles")))
    # The list opens leftwards from the right edge (CSS .dropdown-end); Pico's dir="rtl" did that too,
    # but it also reversed the text, which put the ellipsis on the wrong side.
    return Details(Summary(Span("Profile: ", cls="muted"), Strong(name, id="current-profile")),
                   Ul(*items), cls="dropdown dropdown-end", id="profile-menu")


def app_menu(registry: Registry, active: AppPlugin | None) -> FT:
    items = [Li(A(p.title, href=p.path, cls="current" if active is p else None,
                  aria_current="page" if active is p else None)) for p in registry.menu()]
    # Off any app (help, error pages) the menu is just "Apps", not "App: Apps".
    summary = Summary(Span("App: ", cls="muted"), Strong(active.title, id="current-app")) if active else \
        Summary(Strong("Apps", id="current-app"))
    return Details(summary, Ul(*items), cls="dropdown", id="app-menu")


def nav(ctx: Context, registry: Registry, active: AppPlugin | None) -> FT:
    # On a phone the second list folds behind the Menu button (cardflow.css, cardflow.js).
    return Nav(
        Ul(Li(A(Strong("Cardflow"), href="/", cls="brand")),
           Li(Button(Icon("menu"), " Menu", id="nav-toggle", type="button", cls="secondary outline",
                     aria_expanded="false", aria_controls="nav-items"), cls="nav-toggle-item")),
        Ul(
            Li(app_menu(registry, active)),
            Li(profile_menu(ctx)),
            Li(Button("Poke", hx_post="/poke", hx_swap="none", cls="secondary outline", id="poke",
                      title="Ask the server to push a message back over the live connection")),
            Li(A("Help", href="/help", id="help-link")),
            Li(Button(Icon("theme"), id="theme-toggle", cls="secondary outline icon-btn",
                      aria_label="Toggle light/dark theme", title="Toggle light/dark theme", hx_post="/theme",
                      hx_swap="none")),
            id="nav-items",
        ),
        cls="container-fluid top-nav", aria_label="Main",
    )


def offline_banner() -> FT:
    """Shown by cardflow.js while the server does not answer; hidden again when /health does."""
    return Div(Strong("Cardflow is not answering — retrying"),
               Span(" What you typed is kept; send it again once this notice goes.", cls="offline-detail"),
               id="offline-banner", role="alert", hidden=True)


def new_client_id() -> str:
    """Each page load is one live client: its own changes come back in the response, and the
    SSE broadcast of the same change skips it (see events.Event.exclude)."""
    import secrets

    return secrets.token_urlsafe(9)


def page(ctx: Context, registry: Registry, active: AppPlugin | None, content: Any, chat: FT,
         client_id: str, title: str | None = None) -> FT:
    """The whole page. `content` is whatever an app's render returns: an FT, a tuple of them, or text.
    `title` names a page that is no app's own (an error page); by default it is the app's title."""
    import json

    theme = ctx.db.store.get("theme", "light")
    profile_id = ctx.current_profile_id()
    title = title or (active.title if active else None)
    title = f"{title} · Cardflow" if title else "Cardflow"
    return Html(
        head(title),
        Body(
            Header(nav(ctx, registry, active), cls="nav-wrap"),
            offline_banner(),
            Main(
                Section(Div(id="profile-notice", sse_swap="profile-switched", hx_swap="innerHTML",
                            role="status", aria_live="polite"),
                        content, id="app-pane", cls="app-pane", data_app=active.name if active else ""),
                Aside(chat, id="chat-pane", cls="chat-pane", aria_label="Assistant"),
                cls="container-fluid layout",
            ),
            Div(id="toasts", sse_swap="toast", hx_swap="beforeend", aria_live="polite"),
            Div(id="oob-sink", sse_swap="oob", hx_swap="none", hidden=True),
            # Every request from this page acts in the profile it shows (cardflow/page_profile.py).
            hx_ext="sse", sse_connect=f"/sse?client={client_id}&profile={profile_id}",
            hx_headers=json.dumps({"X-Cardflow-Client": client_id, "X-Cardflow-Profile": str(profile_id)}),
            data_client=client_id, data_profile=str(profile_id),
        ),
        data_theme=theme, lang="en",
    )
