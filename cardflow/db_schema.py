"""The tables: one dataclass per row type and the ordered SQL migrations that create them.

`cardflow.db` re-exports all of it; this module only keeps db.py to one concept (the connections).
"""

from __future__ import annotations

from dataclasses import dataclass

from cardflow.batch.schema import BATCH_SQL, Batch, BatchRow


@dataclass
class Profile:
    id: int | None = None
    name: str = ""
    real_name: str = ""
    address: str = ""
    code: str = ""
    active: bool = True
    priority: int = 0


@dataclass
class Task:
    id: int | None = None
    profile_id: int = 0
    name: str = ""
    done: bool = False
    priority: int = 0


@dataclass
class Pipeline:
    key: str = ""
    app_name: str = ""
    data: str = "{}"
    created: str = ""
    updated: str = ""
    profile_id: int = 0


@dataclass
class Message:
    id: int | None = None
    profile_id: int = 0
    role: str = ""
    content: str = ""
    app: str = ""
    created: str = ""
    meta: str | None = None  # JSON: what the model saw (assistant replies), null for everything else


@dataclass
class Job:
    id: int | None = None
    pipeline_key: str = ""
    step: str = ""
    kind: str = ""
    status: str = ""
    progress: float = 0.0
    detail: str = "{}"
    created: str = ""
    updated: str = ""


@dataclass
class ActionLog:
    id: int | None = None
    created: str = ""
    actor: str = ""  # ui, assistant, mcp or cli
    action: str = ""
    profile_id: int = 0
    params: str = "{}"
    result: str = "null"
    summary: str = ""
    changes: str = "[]"  # [{table, key, before, after}]


@dataclass
class ModelCall:
    id: int | None = None
    pipeline_key: str = ""
    app: str = ""
    step: str = ""
    backend: str = ""
    model: str = ""
    messages: str = "[]"  # JSON: the prompt as sent
    reply: str = ""
    created: str = ""


# Each table's row dataclass. The SQL lives in MIGRATIONS (an old data dir must upgrade in place);
# tests/unit/test_db.py checks that both declare the same columns with the same types.
TABLES: dict[str, type] = {"profile": Profile, "task": Task, "pipeline": Pipeline, "message": Message, "job": Job,
                           "action_log": ActionLog, "model_call": ModelCall,
                           "batch": Batch, "batch_row": BatchRow}

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE IF NOT EXISTS store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS profile (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, real_name TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '', code TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1, priority INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS task (
            id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            name TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, priority INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS task_profile ON task(profile_id, priority);
        CREATE TABLE IF NOT EXISTS pipeline (
            key TEXT PRIMARY KEY, app_name TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS pipeline_app ON pipeline(app_name, updated);
        CREATE TABLE IF NOT EXISTS message (
            id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL, role TEXT NOT NULL,
            content TEXT NOT NULL, app TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS message_profile ON message(profile_id, id);
        CREATE TABLE IF NOT EXISTS job (
            id INTEGER PRIMARY KEY, pipeline_key TEXT NOT NULL, step TEXT NOT NULL, kind TEXT NOT NULL,
            status TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS job_key ON job(pipeline_key, step);
        """,
    ),
    (
        "0002_pipeline_profile",
        # Workflow keys belong to a profile so that deleting a profile can take its keys along.
        "ALTER TABLE pipeline ADD COLUMN profile_id INTEGER NOT NULL DEFAULT 0;",
    ),
    (
        "0003_action_log",
        # Every data-changing action run (UI, assistant, MCP, CLI) with the rows before and after.
        """
        CREATE TABLE IF NOT EXISTS action_log (
            id INTEGER PRIMARY KEY, created TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            profile_id INTEGER NOT NULL, params TEXT NOT NULL DEFAULT '{}', result TEXT NOT NULL DEFAULT 'null',
            summary TEXT NOT NULL DEFAULT '', changes TEXT NOT NULL DEFAULT '[]');
        CREATE INDEX IF NOT EXISTS action_log_profile ON action_log(profile_id, id);
        """,
    ),
    (
        "0004_message_meta",
        # What the model saw for a reply (messages, backend, timings), shown under it; null for old rows.
        "ALTER TABLE message ADD COLUMN meta TEXT;",
    ),
    (
        "0005_model_call",
        # Each model call a workflow run made (prompt messages and reply), so its receipt can show them.
        """
        CREATE TABLE IF NOT EXISTS model_call (
            id INTEGER PRIMARY KEY, pipeline_key TEXT NOT NULL, app TEXT NOT NULL DEFAULT '',
            step TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
            messages TEXT NOT NULL DEFAULT '[]', reply TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS model_call_key ON model_call(pipeline_key, id);
        """,
    ),
    ("0006_batch", BATCH_SQL),  # batch runs (cardflow/batch/): one row per key, resumed after a restart
]
