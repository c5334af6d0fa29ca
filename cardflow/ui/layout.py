"""The page shell: nav (profile and app menus, poke, help, theme), app column, chat column.

The shell is drawn on every full page load, so it is assembled from strings: the parts that never
change are rendered from FT once; the parts drawn from data (the app menu, the profile menu, the
chat column) are memoised on exactly the data they are drawn from (see cardflow/ui/fragments.py),
so a change shows on the next load and an unchanged page costs a few dictionary look-ups.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from fasthtml.common import (
    FT,
    A,
    Button,
    Div,
    Head,
    Li,
    Link,
    Meta,
    NotStr,
    Script,
    Span,
    Strong,
    Title,
    to_xml,
)

from cardflow.ui.components import Icon
from cardflow.ui.fragments import CLIENT_SLOT, Memo

if TYPE_CHECKING:
    from cardflow.plugins import AppPlugin, Context, Registry

VENDOR = "/static/vendor"
ASSET_VERSION = "4"  # bump when cardflow.css or cardflow.js changes: browsers cache them


def html(ft: Any) -> str:
    """One fragment as markup, unindented (the page is assembled from many)."""
    return str(to_xml(ft, indent=False))


@cache
def head(title: str) -> str:
    return html(Head(
        Meta(charset="utf-8"),
        Meta(name="viewport", content="width=device-width, initial-scale=1"),
        # defaultSettleDelay 0: htmx wires up swapped-in content when it settles, 20 ms later by
        # default; until then a form just put back (the quick-add box) submitted natively on Enter,
        # a GET of the page that lost what was typed. No style here transitions on settle.
        Meta(name="htmx-config", content='{"includeIndicatorStyles": false, "allowEval": false, "defaultSettleDelay": 0}'),
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
    ))


_PROFILE_ITEM = ('<li><form enctype="multipart/form-data" method="post" action="/profile/select">'
                 '<input type="hidden" name="profile_id" value="{id}">'
                 '<button type="submit" class="menu-item{cls}"{aria}>{name}</button></form></li>')


def profile_menu_html(profiles: list[tuple[int, str]], current: int, current_name: str, oob: bool = False) -> str:
    """The Profile dropdown from (id, name) of the active profiles; names are escaped."""
    items = "".join(_PROFILE_ITEM.format(id=pid, name=escape(name), cls=" current" if pid == current else "",
                                         aria=' aria-current="true"' if pid == current else "")
                    for pid, name in profiles)
    # The list opens leftwards from the right edge (CSS .dropdown-end); Pico's dir="rtl" did that too,
    # but it also reversed the text, which put the ellipsis on the wrong side.
    swap = ' hx-swap-oob="true"' if oob else ""
    return (f'<details class="dropdown dropdown-end" id="profile-menu"{swap}>'
            f'<summary><span class="muted">Profile: </span><strong id="current-profile">{escape(current_name)}'
            f'</strong></summary><ul>{items}<li><a href="/profiles">Manage profiles…</a></li></ul></details>')


_profile_menus = Memo(64)


def profile_menu(ctx: Context, oob: bool = False) -> NotStr:
    """The Profile dropdown for the profile this request acts in; memoised on the database version."""
    current = ctx.current_profile_id()

    def build() -> str:
        rows: list[tuple[Any, ...]] = ctx.db.conn.execute(
            "SELECT id, name, active FROM profile ORDER BY priority, id").fetchall()
        active = [(int(pid), str(name)) for pid, name, on in rows if on]
        name = next((n for pid, n, _ in rows if pid == current), "")
        return profile_menu_html(active, current, str(name), oob)

    return NotStr(_profile_menus.get((ctx.db, ctx.db.version(), current, oob), build))


def menu_key(registry: Registry) -> tuple[tuple[int, str, str, str], ...]:
    # What the menu is drawn from; an app added to (or dropped from) the registry changes it.
    return tuple((id(p), p.name, p.title, p.path) for p in registry.menu())


_app_menus = Memo(256)


def app_menu(registry: Registry, active: AppPlugin | None) -> str:
    def build() -> str:
        items = "".join(
            f'<li><a href="{escape(p.path)}"'
            + (' aria-current="page" class="current"' if active is p else "")
            + f">{escape(p.title)}</a></li>" for p in registry.menu())
        # Off any app (help, error pages) the menu is just "Apps", not "App: Apps".
        summary = (f'<span class="muted">App: </span><strong id="current-app">{escape(active.title)}</strong>'
                   if active else '<strong id="current-app">Apps</strong>')
        return f'<details class="dropdown" id="app-menu"><summary>{summary}</summary><ul>{items}</ul></details>'

    return _app_menus.get((menu_key(registry), active.name if active else None), build)


@cache
def _nav_parts() -> tuple[str, str]:
    """The nav's fixed markup before the app menu and after the profile menu."""
    brand = Li(A(Strong("Cardflow"), href="/", cls="brand"))
    # On a phone the second list folds behind the Menu button (cardflow.css, cardflow.js).
    toggle = Li(Button(Icon("menu"), " Menu", id="nav-toggle", type="button", cls="secondary outline",
                       aria_expanded="false", aria_controls="nav-items"), cls="nav-toggle-item")
    tail = (Li(Button("Poke", hx_post="/poke", hx_swap="none", cls="secondary outline", id="poke",
                      title="Ask the server to push a message back over the live connection")),
            Li(A("Help", href="/help", id="help-link")),
            Li(Button(Icon("theme"), id="theme-toggle", cls="secondary outline icon-btn",
                      aria_label="Toggle light/dark theme", title="Toggle light/dark theme", hx_post="/theme",
                      hx_swap="none")))
    before = (f'<header class="nav-wrap"><nav class="container-fluid top-nav" aria-label="Main">'
              f'<ul>{html(brand)}{html(toggle)}</ul><ul id="nav-items"><li>')
    after = "</li>" + "".join(html(li) for li in tail) + "</ul></nav></header>"
    return before, after


def nav(ctx: Context, registry: Registry, active: AppPlugin | None) -> str:
    before, after = _nav_parts()
    return f"{before}{app_menu(registry, active)}</li><li>{profile_menu(ctx)}{after}"


@cache
def offline_banner() -> str:
    """Shown by cardflow.js while the server does not answer; hidden again when /health does."""
    return html(Div(Strong("Cardflow is not answering — retrying"),
                    Span(" What you typed is kept; send it again once this notice goes.", cls="offline-detail"),
                    id="offline-banner", role="alert", hidden=True))


def new_client_id() -> str:
    """Each page load is one live client: its own changes come back in the response, and the
    SSE broadcast of the same change skips it (see events.Event.exclude)."""
    import secrets

    return secrets.token_urlsafe(9)


_TAIL = ('</section><aside id="chat-pane" class="chat-pane" aria-label="Assistant">{chat}</aside></main>'
         '<div id="toasts" sse-swap="toast" hx-swap="beforeend" aria-live="polite"></div>'
         '<div id="oob-sink" sse-swap="oob" hx-swap="none" hidden></div></body></html>')


def page(ctx: Context, registry: Registry, active: AppPlugin | None, content: Any, chat: str,
         client_id: str, title: str | None = None) -> str:
    """The whole page as markup, doctype first. `content` is whatever an app's render returns: an FT,
    a tuple of them, or text (escaped). `chat` is the chat column's markup, with CLIENT_SLOT where
    this page's client id goes. `title` names a page that is no app's own (an error page); by default
    it is the app's title."""
    theme = "dark" if ctx.db.store.get("theme", "light") == "dark" else "light"
    profile_id = ctx.current_profile_id()
    title = title or (active.title if active else None)
    title = f"{title} · Cardflow" if title else "Cardflow"
    # Every request from this page acts in the profile it shows (cardflow/page_profile.py).
    headers = escape(json.dumps({"X-Cardflow-Client": client_id, "X-Cardflow-Profile": str(profile_id)}))
    body = (f'<body hx-ext="sse" sse-connect="/sse?client={client_id}&amp;profile={profile_id}" '
            f'hx-headers="{headers}" data-client="{client_id}" data-profile="{profile_id}">')
    app_name = escape(active.name) if active else ""
    return "".join((
        f'<!doctype html>\n<html data-theme="{theme}" lang="en">', head(title), body,
        nav(ctx, registry, active), offline_banner(),
        f'<main class="container-fluid layout"><section id="app-pane" class="app-pane" data-app="{app_name}">'
        '<div id="profile-notice" sse-swap="profile-switched" hx-swap="innerHTML" role="status" '
        'aria-live="polite"></div>',
        content_html(content),
        _TAIL.format(chat=chat.replace(CLIENT_SLOT, client_id, 1)),
    ))


def content_html(content: Any) -> str:
    """An app's render result as markup, as it would be as a child of an FT: FT trees, tuples and
    lists of them, markup that says it is markup (NotStr, Safe), and plain text, which is escaped."""
    if content is None:
        return ""
    if isinstance(content, list | tuple):
        return "".join(content_html(c) for c in content)
    if isinstance(content, FT) or hasattr(content, "__ft__"):
        return html(content)
    if hasattr(content, "__html__"):
        return str(content.__html__())
    if isinstance(content, str):
        return escape(content, quote=False)
    return str(content)  # NotStr: markup by contract
