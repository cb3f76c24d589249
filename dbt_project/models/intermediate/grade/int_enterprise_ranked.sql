-- Rank within the pool and the grade the bands alone give (rule-pack.md "Rank"):
-- RANK() by score_total rounded to 6 decimals, descending (ties share the better
-- rank); percentile = rank ÷ pool size; under `percentile` the first band, best
-- first, with rank ≤ to × pool size (in decimal), under `score` the first band whose
-- `from` ≤ the score, else the last band.
with scores as (

    select * from {{ ref('int_enterprise_scores') }}

),

pack as (

    select * from {{ source('rule_pack', 'rp_pack') }}

),

bands as (

    select * from {{ source('rule_pack', 'rp_grade_bands') }}
    where band_scope = 'enterprise'

),

ranked as (

    select
        scores.*,
        rank() over (
            partition by scores.year, scores.pool order by round(scores.score_total, 6) desc
        ) as rank_in_pool,
        count(*) over (partition by scores.year, scores.pool) as pool_size
    from scores

),

band_candidates as (

    select
        ranked.uscc,
        ranked.year,
        bands.grade,
        bands.ordinal,
        row_number() over (partition by ranked.uscc, ranked.year order by bands.ordinal) as preference
    from ranked
    cross join pack
    inner join bands
        on case pack.grading_by
            when 'percentile' then
                cast(ranked.rank_in_pool as decimal(18, 6))
                <= cast(bands.to_share as decimal(18, 6)) * ranked.pool_size
            else cast(bands.from_score as decimal(38, 6))
                <= cast(round(ranked.score_total, 6) as decimal(38, 6))
        end

),

worst_band as (

    select grade, ordinal from bands
    where ordinal = (select max(ordinal) from bands)

),

final as (

    select
        ranked.*,
        cast(ranked.rank_in_pool as double) / ranked.pool_size as percentile_in_pool,
        coalesce(band_candidates.grade, worst_band.grade) as grade_by_score,
        coalesce(band_candidates.ordinal, worst_band.ordinal) as band_ordinal
    from ranked
    cross join worst_band
    left join band_candidates
        on band_candidates.uscc = ranked.uscc and band_candidates.year = ranked.year
        and band_candidates.preference = 1

)

select * from final
