"""CSV explorer: the four data-step kinds in one workflow (docs/workflows.md, "Data steps").

Upload a CSV, JSON or Parquet file; page and sort it; chart one column against another; read a
summary written from what was uploaded.
"""

from typing import Any

from cardflow.datasteps import Chart, Markdown, Table, Upload
from cardflow.workflow import Step, Workflow


def summary(values: dict[str, Any]) -> str:
    data, chart = values["data"], values["chart"]
    y = f"the sum of `{chart['y']}`" if chart.get("y") else "the number of rows"
    return (f"## `{data['name']}`\n\n{data['rows']:,} rows and {len(data['columns'])} columns "
            f"({data['format']}, sha256 `{data['sha256'][:12]}…`).\n\nThe {chart['type']} chart shows {y} "
            f"for each value of `{chart['x']}`.")


class CsvExplorer(Workflow):
    name = "csv_explorer"
    title = "CSV explorer"
    order = 60
    description = "Upload a CSV, JSON or Parquet file, page and sort it, chart it, and read a summary."
    prompt = ("The user is exploring a data file: upload, a paged and sortable preview, a chart (x column, "
              "y column, type), then a summary. The preview action reads pages of rows.")
    steps = [
        Step("data", "Your file", kind=Upload(accept=("csv", "csv.gz", "json", "parquet"), max_mb=1024)),
        Step("preview", "Preview", kind=Table(source="data"), help="Click a column's name to sort by it."),
        Step("chart", "Chart", kind=Chart(source="data")),
        Step("summary", "Summary", kind=Markdown(text=summary)),
    ]
