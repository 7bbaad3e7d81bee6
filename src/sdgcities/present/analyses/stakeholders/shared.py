"""Partners that more than one document of the same city names, with their dates and themes
compared per document (frames of codes; the display is in tables.py)."""

from __future__ import annotations

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.stakeholders.data import label_columns


def shared_partners(ctx: Context) -> pl.DataFrame:
    """Named partners that more than one document of the same city lists, with their dates and
    themes per document and whether these differ (model shared_partners, which defines the statuses).

    date_status: "differs" when two documents both print dates and one prints a date that no date
    of the other matches (a less precise date matching a more precise one, 2018-11 vs 2018-11-19,
    counts as matching); "one" when only one document prints a date; "same"; "none".
    theme_status: the same for the set of normalised themes (the `theme` codes; the printed wording
    varies between documents and is shown, not compared). Dates are those of any dated event.
    Per city, the partners whose date or theme differs come first.
    """
    frame = ctx.con.sql(
        """
        select city_id, partner_key, partner_name, category, documents, doc_ids, dates_by_document,
               themes_by_document, date_status, theme_status
        from shared_partners
        where ($cities is null or list_contains($cities, city_id))
        order by city_id, (date_status = 'differs') desc, (theme_status = 'differs') desc, partner_key
        """,
        params={"cities": ctx.cities_param},
    ).pl()
    return label_columns(ctx, frame)


def shared_summary(frame: pl.DataFrame) -> dict[str, int]:
    """Counts of the shared-partner frame: partners, and how many differ in date, theme, either."""
    date_differs = frame["date_status"] == "differs"
    theme_differs = frame["theme_status"] == "differs"
    return {
        "partners": frame.height,
        "date_differs": int(date_differs.sum()),
        "theme_differs": int(theme_differs.sum()),
        "either_differs": int((date_differs | theme_differs).sum()),
        "both_dated": int(frame["date_status"].is_in(["same", "differs"]).sum()),
    }


def differing_examples(frame: pl.DataFrame, limit: int = 3) -> list[dict]:
    """The first partners whose dates differ (for the narrative)."""
    return frame.filter(pl.col("date_status") == "differs").head(limit).to_dicts()
