-- materialized: table (a regular expression over every printed role: 39,000 rows at 1,741 cities)
-- The words of the partners' printed roles (role_ja), the themes they work on: per city, partner
-- category and word, the partners whose role holds the word (each partner counted once, however many
-- rows or documents print it). A word is a run of two or more kanji, a run of katakana or a Latin
-- word (AI, MaaS, SDGs), read after removing whitespace. Generic verbs (推進, 連携 ...) are kept here:
-- a report leaves out the words it chooses not to count.
with partner_words as (
    select distinct
        city_id,
        coalesce(partner_key, stakeholder_id) as partner,
        category,
        unnest(regexp_extract_all(regexp_replace(role_ja, '\s', '', 'g'),
                                  '\p{Han}{2,}|[\p{Katakana}ー]{2,}|[A-Za-z][A-Za-z0-9]+')) as word
    from stakeholders
    where relation = 'partner' and role_ja is not null
),

final as (
    select city_id, category, word, count(*) as partners
    from partner_words
    group by city_id, category, word
)

select * from final order by city_id, category, word
