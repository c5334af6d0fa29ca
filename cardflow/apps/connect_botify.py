"""Connect with Botify: paste an API token, check it, keep it in a 0600 file; replace or forget it.

The token travels only in a POST body (never a URL, so the request log cannot see it), is written
to ``<data dir>/botify_token`` through a temp file created 0600 and renamed into place, and is
never put back into a page, a message or a log line: error messages come from Botify's error
code, and the client redacts the token from anything Botify echoes. Other apps read it with
:func:`read_token`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from fasthtml.common import H2, H3, Article, Button, Code, Div, Form, Input, Label, P, Small, Strong
from starlette.requests import Request

from cardflow.botify.client import BotifyClient
from cardflow.botify.errors import BotifyError
from cardflow.config import Settings
from cardflow.plugins import AppPlugin
from cardflow.ui.components import FieldError

TOKEN_FILE = "botify_token"
USER_KEY = "botify_user"  # the store key for the verified username (never the token)
ACCOUNT_URL = "https://app.botify.com/account"


def token_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / TOKEN_FILE


def read_token(settings: Settings) -> str | None:
    try:
        token = token_path(settings).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError):
        return None
    return token or None


def save_token(settings: Settings, token: str) -> Path:
    """Write the token atomically; the file is 0600 from its first byte."""
    path = token_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{TOKEN_FILE}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)  # in case a umask or an odd filesystem widened it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return path


def forget_token(settings: Settings) -> bool:
    try:
        token_path(settings).unlink()
    except FileNotFoundError:
        return False
    return True


def explain(err: BotifyError, base_url: str = "", what: str = "") -> str:
    """One sentence for the user from a Botify error (never contains the token)."""
    if err.status == 401:
        return ("Botify rejected the token (401 Not Authorized). Copy it again from "
                f"{ACCOUNT_URL}; regenerating it there invalidates the old one.")
    if err.status == 403:
        return (f"Botify recognised the token but refused access{' to ' + what if what else ''} "
                "(403 Permission denied). Ask your Botify admin for API access to it.")
    if err.status == 404 and what:
        return f"Botify does not know {what}, or this token cannot see it. Check the address."
    if err.status == 429:
        return "Botify is rate-limiting requests (429) and still was after several retries. Try again in a minute."
    if err.status is None:
        where = f" at {base_url}" if base_url else ""
        return (f"Botify did not answer{where} (timeout or network error). "
                "Check your connection and try again.")
    if err.status >= 500:
        return f"Botify had a server error ({err.status}). Try again in a few minutes."
    return err.hint


class ConnectBotify(AppPlugin):
    name = "connect_botify"
    title = "Connect with Botify"
    order = 70
    description = "Paste your Botify API token once; Cardflow checks it and keeps it in a private file."
    prompt = ("The user is connecting Cardflow to Botify with an API token from app.botify.com/account. "
              "Never ask them to paste the token into the chat.")
    verify_timeout = 10.0  # seconds per try; a dead network gives up after two tries

    def register(self) -> None:
        self.route("/save", ["post"])(self.save)
        self.route("/check", ["post"])(self.check)
        self.route("/forget", ["post"])(self.forget)

    # -- views -----------------------------------------------------------------------------
    def render(self, req: Request) -> Any:
        return Div(H2(self.title), P(self.description), self.panel(), cls="connect-botify")

    def panel(self, *, error: str | None = None, notice: str | None = None) -> Any:
        saved = read_token(self.ctx.settings) is not None
        user = self.ctx.db.store.get(USER_KEY) if saved else None
        if saved and user:
            status = P("Connected to Botify as ", Strong(str(user), id="botify-user"), ".")
        elif saved:
            status = P("A token is saved but has not been checked yet.")
        else:
            status = P("Not connected: no Botify token is saved.")
        actions = Div(
            Button("Check again", cls="secondary", hx_post=f"{self.path}/check", hx_target="#botify-connect",
                   hx_swap="outerHTML"),
            Button("Forget the token", cls="secondary outline", hx_post=f"{self.path}/forget",
                   hx_target="#botify-connect", hx_swap="outerHTML",
                   hx_confirm="Forget the saved Botify token? Workflows will need a new one."),
            cls="step-actions") if saved else None
        form = Form(
            Label("Replace the token" if saved else "Botify API token", fr="botify-token"),
            Input(type="password", name="token", id="botify-token", autocomplete="off", required=True,
                  spellcheck="false", aria_describedby="botify-token-error",
                  aria_invalid="true" if error else None, placeholder="Paste the token here"),
            FieldError(error, id="botify-token-error"),
            Small("Find it at ", Code("app.botify.com/account"), " (Account, API token). It is checked with "
                  "Botify, then stored only in a private file in your data dir.", cls="muted"),
            Button("Check and save", type="submit"),
            hx_post=f"{self.path}/save", hx_target="#botify-connect", hx_swap="outerHTML",
            id="botify-token-form",
        )
        return Article(H3("Botify account"), status,
                       P(notice, cls="notice", role="status") if notice else None,
                       actions, form, id="botify-connect")

    # -- actions ---------------------------------------------------------------------------
    async def _verify(self, token: str) -> tuple[str | None, str | None]:
        """(username, None) when Botify accepts the token, else (None, a message)."""
        base = self.ctx.settings.botify_api
        try:
            client = BotifyClient(token, base, timeout=self.verify_timeout, max_retries=1)
        except ValueError:
            return None, "That does not look like a Botify token: it has spaces in it. Copy it again."
        try:
            async with client:
                return await client.verify(), None
        except BotifyError as err:
            return None, explain(err, base)

    async def save(self, req: Request) -> Any:
        form = await req.form()
        token = str(form.get("token") or "").strip()
        if not token:
            return self.panel(error="Paste your Botify API token first.")
        if len(token) > 500:
            return self.panel(error="That is too long to be a Botify token. Copy it again.")
        user, problem = await self._verify(token)
        if problem:
            kept = " The token saved before is kept." if read_token(self.ctx.settings) else ""
            return self.panel(error=problem + " Nothing was saved." + kept)
        save_token(self.ctx.settings, token)
        self.ctx.db.store[USER_KEY] = user
        self.ctx.conversation.note(self.ctx.current_profile_id(), f"Connected to Botify as {user}.", app=self.name)
        return self.panel(notice="The token works and is saved.")

    async def check(self) -> Any:
        token = read_token(self.ctx.settings)
        if token is None:
            return self.panel(error="No token is saved: paste one below.")
        user, problem = await self._verify(token)
        if problem:
            return self.panel(error=problem)
        self.ctx.db.store[USER_KEY] = user
        return self.panel(notice="The saved token still works.")

    async def forget(self) -> Any:
        forgot = forget_token(self.ctx.settings)
        with contextlib.suppress(KeyError):
            del self.ctx.db.store[USER_KEY]
        return self.panel(notice="The token is forgotten." if forgot else "No token was saved.")
