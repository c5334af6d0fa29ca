import json
import subprocess
import sys

from starlette.testclient import TestClient

from cardflow.config import Settings
from cardflow.scaffold import render_workflow, steps_from_notebook


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "cardflow", *args], capture_output=True, text=True, timeout=60, **kw)


def test_new_workflow_runs_at_once_and_is_in_the_menu(tmp_path):
    plugins = tmp_path / "plugins"
    out = run_cli("new", "workflow", "client_audit", "--dir", str(plugins))
    assert out.returncode == 0, out.stderr
    assert (plugins / "client_audit.py").exists()
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False))
    assert "client_audit" in [p.name for p in app.state.ctx.registry.menu()]
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        c.headers.update({"HX-Request": "true"})
        assert c.get("/").status_code == 200 and 'href="/client_audit"' in c.get("/").text
        c.post("/client_audit/init", data={"key": "k"})
        r = c.post("/client_audit/step/topic?key=k", data={"topic": "SEO"})
        assert "SEO" in r.text


def test_new_workflow_refuses_bad_names_and_overwrites(tmp_path):
    assert "not a usable name" in run_cli("new", "workflow", "Bad-Name", "--dir", str(tmp_path)).stderr
    assert run_cli("new", "workflow", "ok_name", "--dir", str(tmp_path)).returncode == 0
    again = run_cli("new", "workflow", "ok_name", "--dir", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_from_notebook_makes_one_step_per_heading(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# Fetch the page\n", "Some text"]},
        {"cell_type": "code", "source": ["html = fetch(url)\n", "print(len(html))"]},
        {"cell_type": "markdown", "source": ["## Count links"]},
        {"cell_type": "code", "source": ["links = html.count('<a')"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    steps, hooks = steps_from_notebook(path)
    assert "Step('fetch_the_page', 'Fetch the page'" in steps and "Step('count_links'" in steps
    assert "# html = fetch(url)" in hooks and "def submit_count_links(self, call: StepCall)" in hooks
    assert "submit=submit_count_links" in steps  # hooks are passed by reference, never found by name
    compile(render_workflow("from_nb", path), "from_nb.py", "exec")


def test_scaffold_offers_the_data_steps(tmp_path):
    """The default file shows the data kinds, ready to uncomment; a notebook cell that reads a CSV becomes an
    upload step and its preview, and the file runs."""
    text = render_workflow("data_default")
    assert 'kind=Upload(accept=("csv", "csv.gz", "json", "parquet")' in text and "kind=Table(source=\"data\")" in text
    uncommented = text.replace("        # Step(", "        Step(")
    compile(uncommented, "data_default.py", "exec")
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# Sales file"]},
        {"cell_type": "code", "source": ["df = pd.read_csv('sales.csv')"]},
        {"cell_type": "markdown", "source": ["# Findings"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sales_nb.py").write_text(render_workflow("sales_nb", path))
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False))
    wf = next(p for p in app.state.ctx.registry.plugins if p.name == "sales_nb")
    assert [(s.id, type(s.kind).__name__) for s in wf.steps] == [
        ("sales_file", "Upload"), ("sales_file_preview", "Table"), ("findings", "NoneType")]
    assert "sales_nb.preview" in app.state.ctx.actions
