"""Data steps: ready-made step kinds for files and what is in them.

    Step("data", "Your CSV", kind=Upload(accept=("csv", "json", "parquet"), max_mb=200))
    Step("preview", "Preview", kind=Table(source="data"))
    Step("chart", "Chart", kind=Chart(source="data"))
    Step("notes", "Notes", kind=Markdown(text=lambda values: f"**{values['data']['name']}**"))

A kind supplies the step's `render`, `submit` and `locked` hooks (those the Step leaves unset); its
other abilities are attributes the workflow looks for: `receives_files` (the card's form streams a
file), `part` (an htmx partial, such as a table page) and `preview` (the read-only `<app>.preview`
action). See docs/workflows.md, "Data steps".
"""

from cardflow.datasteps.chart import Chart
from cardflow.datasteps.markdown import Markdown
from cardflow.datasteps.table import Table
from cardflow.datasteps.upload import Upload

__all__ = ["Chart", "Markdown", "Table", "Upload"]
