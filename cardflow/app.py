"""build_app(settings): assemble the database, events, plugins, routes and middleware. Nothing else."""

from __future__ import annotations

import secrets
from pathlib import Path

from fasthtml.common import FastHTML
from loguru import logger
from starlette.middleware import Middleware
from starlette.staticfiles import StaticFiles

from cardflow.access_log import AccessLog, RequestLogMiddleware
from cardflow.actions import ActionRegistry
from cardflow.backup import BackupScheduler
from cardflow.batch.live import install_batches
from cardflow.chat.conversation import Conversation
from cardflow.chat.routes import add_chat_routes
from cardflow.chat.service import ChatService
from cardflow.config import Settings
from cardflow.db import Database
from cardflow.devtools import print_state_tables
from cardflow.errors import exception_handlers
from cardflow.events import Broadcaster
from cardflow.jobs import JobManager
from cardflow.mcp_http import add_mcp_route
from cardflow.page_profile import PageProfileMiddleware
from cardflow.pipeline import Pipulate
from cardflow.plugins import Context, load_plugins
from cardflow.routing import index_routes
from cardflow.security import SecurityMiddleware
from cardflow.shell import add_shell_routes
from cardflow.ui.jobs import job_progress

STATIC_DIR = Path(__file__).parent / "static"


def build_app(settings: Settings) -> FastHTML:
    db = Database(settings.db_path)
    events = Broadcaster()
    jobs = JobManager(db, events, renderer=job_progress)
    backups = BackupScheduler(db, settings.data_dir / "backups")
    access_log = AccessLog()
    app = FastHTML(
        default_hdrs=False,  # FastHTML's defaults load htmx from a CDN; we serve our own copies
        sess_cls=None,
        secret_key=secrets.token_hex(16),  # no sessions are used; this keeps FastHTML from writing .sesskey
        exception_handlers=exception_handlers(),
        middleware=[
            Middleware(RequestLogMiddleware, settings=settings, log=access_log,
                       dump_state=lambda: print_state_tables(db)),
            Middleware(SecurityMiddleware, settings=settings),
            Middleware(PageProfileMiddleware),
        ],
        on_startup=[jobs.recover, backups.start],
        on_shutdown=[jobs.shutdown, events.close, backups.stop, access_log.flush],
        title="Cardflow",
    )
    index_routes(app.router)
    ctx = Context(settings=settings, db=db, events=events, pipulate=Pipulate(db),
                  conversation=Conversation(db, events), jobs=jobs, app=app)
    app.state.ctx = ctx
    db.commits.others_waiting = lambda n: access_log.unanswered > n
    ctx.chat = ChatService(ctx)
    ctx.actions = ActionRegistry(ctx)
    ctx.actions.on_change.append(ctx.chat.after_change)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    registry = load_plugins(ctx)
    ctx.actions.collect()
    install_batches(ctx)  # batch runs: resumed at start-up, after the jobs' own recovery
    add_shell_routes(ctx, registry)
    add_chat_routes(ctx)
    add_mcp_route(ctx)
    for error in registry.errors + ctx.actions.errors:
        logger.warning(f"plugin skipped: {error}")
    return app
