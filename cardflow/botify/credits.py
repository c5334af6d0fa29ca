"""What an export costs in Botify export credits, estimated before it is started.

Botify's limits page (developers.botify.com/docs/limits, "Exports Credits") says every export,
from the app or the API, subtracts credits from the web property's allowance: "each data row
counts for 1 credit" and "each data row linked to the links graph counts for 0.1 credit". An
export stops at ``export_size`` rows, so the rows are the smaller of what matches and that size.
There is no dry run: this estimate, from the BQL counts, is all a user sees before paying.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_CREDITS = 1.0  # a page-metadata row
LINK_ROW_CREDITS = 0.1  # a row of the links graph (one source -> destination edge)


@dataclass(frozen=True)
class CreditEstimate:
    link_rows: int
    page_rows: int

    @property
    def links(self) -> float:
        return self.link_rows * LINK_ROW_CREDITS

    @property
    def pages(self) -> float:
        return self.page_rows * ROW_CREDITS

    @property
    def total(self) -> float:
        return self.links + self.pages

    def describe(self) -> str:
        """One line for the user, e.g. "about 1,350 credits (…)"."""
        return (f"about {credits_text(self.total)} Botify export credits: {self.link_rows:,} link rows × "
                f"{LINK_ROW_CREDITS:g} + {self.page_rows:,} page rows × {ROW_CREDITS:g}")


def estimate(edges: int, pages: int | None, export_size: int) -> CreditEstimate:
    """The credits of the links export and the metadata export, each capped at ``export_size`` rows.

    ``pages`` unknown (None) counts as the cap: an estimate may overstate, never understate, a cost.
    """
    cap = max(0, export_size)
    return CreditEstimate(min(max(0, edges), cap), cap if pages is None else min(max(0, pages), cap))


def credits_text(value: float) -> str:
    """``1350.0`` -> ``"1,350"``; ``0.3`` -> ``"0.3"``: whole credits without a decimal tail."""
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
