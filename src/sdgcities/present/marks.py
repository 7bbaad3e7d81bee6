"""Chart pieces every analysis shares, kept once: how many cities are "many", the SDG colours from
the reference table, the text colour that reads on a fill, folding the cities beyond the top N into
"other cities", and box plots that turn into points where a group has too few values for a box."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import polars as pl

from sdgcities.present.charts import CITY_PALETTE

# Above this many cities a chart stops giving each city its own colour or row: it pools them, or
# lists the top cities. It is the number of colours a reader can tell apart (the city palette).
MANY_CITIES = len(CITY_PALETTE)
TOP_N = 10  # cities listed by name in "top cities" tables and folded charts
MIN_BOX = 3  # fewer values in a group: points, not a box (quartiles of one or two values mean nothing)
OTHER_CITIES = "__other__"  # the code of the folded group; its label comes from the catalogue


def many_cities(cities: Sequence[Any]) -> bool:
    """True when there are too many cities to give each its own colour or row in a chart."""
    return len(cities) > MANY_CITIES


def most_first(frame: pl.DataFrame, cities: Sequence[Any], *by: pl.Expr | str) -> pl.DataFrame:
    """With many cities, the rows with the largest `by` values first (missing values last, ties in the
    frame's order); else the frame as it is. A report prints the first rows of a long table
    (present/tables.py): ordered by city id they would be an arbitrary few cities, ordered so they are
    the most telling rows of all the cities."""
    if not many_cities(cities):
        return frame
    return frame.sort(list(by), descending=True, nulls_last=True, maintain_order=True)


def rows_per_city(key: str = "city_id") -> pl.Expr:
    """How many rows the row's city has (for most_first: the cities with the most rows first, each
    city's rows together)."""
    return pl.len().over(key)


def sdg_colours(goal_colours: Mapping[int, str], goals: Sequence[int]) -> list[str]:
    """The official colours of the goals, in the order given, from the sdg_goals reference table
    (Context.goal_colours)."""
    missing = [g for g in goals if g not in goal_colours]
    if missing:
        raise KeyError(f"no colour for SDG goal(s) {missing} in the sdg_goals table")
    return [goal_colours[g] for g in goals]


def sdg_colour_scale(goal_colours: Mapping[int, str], domain: Sequence[Any], goals: Sequence[int]) -> alt.Scale:
    """A colour scale over domain (goal labels or numbers) giving each its goal's official colour."""
    return alt.Scale(domain=list(domain), range=sdg_colours(goal_colours, goals))


def text_colour(fill: str, alpha: float = 1.0) -> str:
    """Near-black or white, whichever contrasts more (WCAG) with fill drawn with alpha over white."""
    rgb = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    mixed = [alpha * c + (1 - alpha) for c in rgb]

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(mixed[0]) + 0.7152 * linear(mixed[1]) + 0.0722 * linear(mixed[2])
    return "#111111" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def fold_top_n(frame: pl.DataFrame, *, key: str, value: str, n: int = TOP_N, other: str = OTHER_CITIES,
               sum_columns: Sequence[str] = ()) -> pl.DataFrame:
    """Keep the n rows with the largest value (ties by key) and fold the rest into one row whose key
    is `other`; value and sum_columns are summed, other columns left empty. Nothing is folded when
    there are at most n + 1 rows (a group of one "other" city says less than its name)."""
    ordered = frame.sort([value, key], descending=[True, False])
    if ordered.height <= n + 1:
        return ordered
    top, rest = ordered.head(n), ordered.slice(n)
    summed = {c: rest[c].sum() for c in (value, *sum_columns)}
    folded = {c: (other if c == key else summed.get(c)) for c in frame.columns}
    return pl.concat([top, pl.DataFrame([folded], schema=frame.schema)])


def box_groups(stats: pl.DataFrame) -> pl.DataFrame:
    """The groups of a box-statistics frame (column ``n``) with enough values for a box."""
    return stats.filter(pl.col("n") >= MIN_BOX)


def small_group_points(stats: pl.DataFrame, by: str) -> pl.DataFrame:
    """The values of the groups too small for a box, one row per value (``value``, ``value_shown``,
    ``n``): with one or two values, the minimum and the maximum are the values."""
    small = stats.filter(pl.col("n") < MIN_BOX)
    low = small.select(by, "n", pl.col("low").alias("value"), pl.col("low_shown").alias("value_shown"))
    high = small.filter(pl.col("n") == 2).select(by, "n", pl.col("high").alias("value"),
                                                  pl.col("high_shown").alias("value_shown"))
    return pl.concat([low, high])


def n_small_groups(stats: pl.DataFrame) -> int:
    """How many groups are drawn as points (fewer than MIN_BOX values): the chart's note says so."""
    return stats.filter(pl.col("n") < MIN_BOX).height
