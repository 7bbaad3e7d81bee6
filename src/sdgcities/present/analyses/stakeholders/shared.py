"""Partners that more than one document of the same city names, with their dates and themes
compared per document (frames of codes; the display is in tables.py)."""

from __future__ import annotations

import polars as pl

from sdgcities.present.notebook import Context
from sdgcities.present.analyses.stakeholders.data import label_columns


def shared_partners(ctx: Context) -> pl.DataFrame:
    """Named partners that more than one document of the same city lists, with their dates and
    themes per document and whether these differ.

    date_status: "differs" when two documents both print dates and one prints a date that no date
    of the other matches (a less precise date matching a more precise one, 2018-11 vs 2018-11-19,
    counts as matching); "one" when only one document prints a date; "same"; "none".
    theme_status: the same for the set of normalised themes (the `theme` codes; the printed wording
    varies between documents and is shown, not compared). Dates are those of any dated event.
    """
    frame = ctx.con.sql(
        """
        with s as (
            select city_id, doc_id, partner_key, name_ja, category, event_on as agreed_on, theme, role_ja, stakeholder_id
            from (select * from stakeholders where relation = 'partner') as stakeholders
            where list_contains($cities, city_id) and not is_redacted and partner_key is not null
        ),
        multi as (
            select city_id, partner_key from s group by city_id, partner_key having count(distinct doc_id) > 1
        ),
        per_doc as (
            select city_id, partner_key, doc_id,
                   list(distinct agreed_on order by agreed_on) filter (where agreed_on is not null) as dates,
                   list(distinct theme order by theme) filter (where theme is not null) as themes,
                   string_agg(distinct role_ja, '; ' order by role_ja) as themes_printed
            from s join multi using (city_id, partner_key)
            group by city_id, partner_key, doc_id
        ),
        dated as (
            select distinct s.city_id, s.partner_key, s.doc_id, s.agreed_on
            from s join multi using (city_id, partner_key) where s.agreed_on is not null
        ),
        unmatched_dates as (
            select distinct a.city_id, a.partner_key
            from dated a
            join (select distinct city_id, partner_key, doc_id from dated) o
              on o.city_id = a.city_id and o.partner_key = a.partner_key and o.doc_id <> a.doc_id
            where not exists (
                select 1 from dated b
                where b.city_id = a.city_id and b.partner_key = a.partner_key and b.doc_id = o.doc_id
                  and (starts_with(b.agreed_on, a.agreed_on) or starts_with(a.agreed_on, b.agreed_on))
            )
        ),
        summary as (
            select city_id, partner_key,
                   count(*) as documents,
                   count(*) filter (where len(coalesce(dates, [])) > 0) as dated_documents,
                   count(*) filter (where len(coalesce(themes, [])) > 0) as themed_documents,
                   count(distinct themes) filter (where len(coalesce(themes, [])) > 0) as theme_sets,
                   list(doc_id order by doc_id) as doc_ids,
                   string_agg(doc_id || ': ' || coalesce(array_to_string(dates, ', '), '–'), ' | ' order by doc_id) as dates_by_document,
                   string_agg(doc_id || ': ' || coalesce(themes_printed, '–'), ' | ' order by doc_id) as themes_by_document
            from per_doc
            group by city_id, partner_key
        )
        select m.city_id, m.partner_key,
               (select first(name_ja order by doc_id, stakeholder_id) from s
                where s.city_id = m.city_id and s.partner_key = m.partner_key) as partner_name,
               (select first(category order by doc_id, stakeholder_id) from s where s.city_id = m.city_id and s.partner_key = m.partner_key) as category,
               m.documents, m.doc_ids, m.dates_by_document, m.themes_by_document,
               case when m.dated_documents = 0 then 'none'
                    when m.dated_documents = 1 then 'one'
                    when u.partner_key is not null then 'differs'
                    else 'same' end as date_status,
               case when m.themed_documents = 0 then 'none'
                    when m.themed_documents = 1 then 'one'
                    when m.theme_sets > 1 then 'differs'
                    else 'same' end as theme_status
        from summary m
        left join unmatched_dates u using (city_id, partner_key)
        order by m.city_id, (date_status = 'differs') desc, (theme_status = 'differs') desc, m.partner_key
        """,
        params={"cities": ctx.cities},
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
