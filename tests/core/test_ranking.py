"""core/ranking.py: the one choice of top performers, by the outcome that pays."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from salesmetrics_xl.core.metrics import NEW_MRR, SQLS, text_key
from salesmetrics_xl.core.ranking import (
    MANY,
    OUTCOMES,
    describe_change,
    outcome_key,
    rank_role,
    role_groups,
    targeted,
    top_performers,
)
from salesmetrics_xl.core.workbook import REP, ROLE, WEEK
from tests.core.teams import FULL_CYCLE, GOOD, few_closers, ranges_of

WEEKS = [pd.Timestamp(dt.date(2026, 11, 9) - dt.timedelta(weeks=i)) for i in range(8)]


def frame(reps: dict[str, tuple], weeks: int = 8, role: str | None = "AE") -> pd.DataFrame:
    """reps: name -> (SQLs, Opportunities, Deals Won, New MRR) a week, the same every week."""
    return pd.DataFrame([{WEEK: w, REP: name, ROLE: role, **dict(zip(OUTCOMES, values, strict=True))}
                         for name, values in reps.items() for w in WEEKS[:weeks]])


def test_the_outcome_order_is_stated_once_and_lists_outcomes_first():
    assert OUTCOMES == ("SQLs", "Opportunities", "Deals Won", "New MRR")
    people = [{"SQLs": 2, "Deals Won": 1}, {"SQLs": 2, "Opportunities": 3}, {"SQLs": 5}]
    assert sorted(range(3), key=lambda i: outcome_key(people[i])) == [2, 1, 0]


def test_a_role_is_ranked_by_the_furthest_down_outcome_it_has_a_target_for():
    data = frame({"Ann": (5, 2, 1, 800), "Bo": (2, 2, 1, 1500), "Cy": (3, 3, 2, 1000)})
    assert targeted(FULL_CYCLE, "AE") == list(OUTCOMES)
    full = rank_role(data, FULL_CYCLE, "AE", 0.34)  # deals won and New MRR both have targets: deals rank
    assert full.outcome == "Deals Won" and full.reps == ["Cy", "Bo", "Ann"] and full.top == ["Cy", "Bo"]
    assert full.ties == {"Cy": 1000, "Bo": 1500, "Ann": 800}  # Bo above Ann on New MRR, at 1 deal each
    mrr = ranges_of(("New MRR", "month", 3000, None, None))
    assert rank_role(data, mrr, "AE").outcome == NEW_MRR and rank_role(data, mrr, "AE").reps == ["Bo", "Cy", "Ann"]
    sdr = ranges_of(("SQLs", "week", 2, None, "SDR"), ("Deals Won", "month", 2, None, "AE"))
    assert targeted(sdr, "SDR") == [SQLS] and rank_role(data, sdr, "SDR").reps == ["Ann", "Cy", "Bo"]
    assert rank_role(data, sdr, "AE").outcome == "Deals Won"  # deals: ties broken by MRR, then opps, then SQLs
    assert rank_role(data, sdr, "AE").reps == ["Cy", "Bo", "Ann"]
    # no target at all: the furthest-down outcome with data
    assert rank_role(data, None, "AE").outcome == NEW_MRR


def test_off_track_reps_and_reps_with_few_full_weeks_are_left_out_and_said_why():
    data = pd.concat([frame({"Dev": (3, 3, 0, 0), "Ann": (1, 1, 1, 900)}),
                      frame({"New": (4, 4, 4, 9000)}, weeks=3)])
    ranking = rank_role(data, FULL_CYCLE, "AE")
    assert ranking.reps == ["Ann"]
    assert ranking.left_out == {"Dev": "off track: no Deals Won from 24 Opportunities in 8 full weeks",
                                "New": "3 full weeks of 8, fewer than half"}
    few = frame({"Dev": (1, 1, 0, 0)}, weeks=MANY - 1)  # 9 opportunities: not yet "many"
    assert rank_role(few, FULL_CYCLE, "AE").reps == ["Dev"]


def test_top_performers_are_chosen_role_by_role():
    data = pd.concat([frame({"Sid": (5, 1, 0, 0), "Sue": (3, 1, 0, 0)}, role="SDR"),
                      frame({"Ava": (0, 3, 2, 3000), "Abe": (0, 3, 1, 1000)}, role="AE")])
    ranges = ranges_of(("SQLs", "week", 2, None, "SDR"), ("New MRR", "month", 2000, None, "AE"))
    assert top_performers(data, ranges, 0.5) == ["Ava", "Sid"]  # roles in order, each role's own top half
    assert top_performers(data.iloc[:0], ranges) == []


def test_what_changed_names_who_joined_and_left_with_their_figures():
    before = rank_role(frame({"Ann": (1, 1, 1, 1000), "Bo": (1, 1, 1, 900)}), FULL_CYCLE, "AE", 0.5)
    after = rank_role(frame({"Ann": (1, 1, 1, 800), "Bo": (1, 1, 1, 900)}), FULL_CYCLE, "AE", 0.5)
    assert describe_change(before, before) == "the same top performers"
    assert describe_change(before, after) == (
        "the top performers were Ann; Bo joined (Deals Won 1 → 1, New MRR $900 → $900); Ann left (Deals Won 1 → 1, "
        "New MRR $1,000 → $800) (a full week, pooled)")


def test_the_outcome_order_is_said_as_the_sort_orders():
    from salesmetrics_xl.core.ranking import OUTCOME_ORDER
    from salesmetrics_xl.core.summary import ORDERING_RULE

    # the words follow OUTCOMES, so the sentence on the sheets can never leave out a step the sort takes
    assert OUTCOME_ORDER == "SQLs, then opportunities, then deals won, then new MRR"
    people = [{"SQLs": 2, "Opportunities": 1}, {"SQLs": 2, "Opportunities": 3}]
    assert sorted(range(2), key=lambda i: outcome_key(people[i])) == [1, 0]  # opportunities break an SQL tie
    assert ORDERING_RULE.endswith(f"then by {OUTCOME_ORDER}.")


# ---- a team where most reps have closed nothing: a rep with none of the outcome is never a top performer -------





def test_a_rep_with_none_of_the_ranking_outcome_is_never_a_top_performer():
    data, ranges = few_closers()
    ranking = rank_role(data.frame, ranges, "SDR")  # Deals Won ranks; a quarter of 28 would be 7
    assert ranking.outcome == "Deals Won" and len(ranking.reps) == 28
    assert ranking.top == GOOD and not ranking.tied  # not Low 00 and Low 01 by name
    assert ranking.basis().startswith("Good 00, Good 01, Good 02, Good 03 and Good 04: the top 5 of 28 SDRs by "
                                      "Deals Won a full week, New MRR breaking ties, pooled over 2 weeks; only 5 had "
                                      "any Deals Won")
    assert top_performers(data.frame, ranges) == GOOD
    assert top_performers(data.frame, ranges, share=1.0) == GOOD  # whatever the share


def test_with_nobody_ranked_having_the_outcome_there_are_no_top_performers():
    # the only closer has 1 full week of 3: left out; everyone ranked closed nothing
    data = pd.concat([frame({"Star": (2, 2, 2, 2000)}, weeks=1),
                      frame({"Ann": (3, 1, 0, 0), "Bo": (2, 1, 0, 0), "Cy": (1, 1, 0, 0)}, weeks=3)])
    ranking = rank_role(data, FULL_CYCLE, "AE")
    assert ranking.outcome == "Deals Won" and ranking.reps == ["Ann", "Bo", "Cy"] and ranking.top == []
    assert ranking.empty_reason() == ("no AE ranked had any Deals Won in the window (left out: Star: 1 full week "
                                      "of 3, fewer than half)")
    assert ranking.basis() == f"no top performers: {ranking.empty_reason()}"
    assert top_performers(data, FULL_CYCLE) == []


def test_group_sums_add_as_pandas_adds_to_the_last_bit():
    """A rep's pooled outcome is the same float however it is computed: the Kahan-compensated sums pandas' groupby
    makes (a plain running sum differs in the last bits on cents and fractions, and a ranking could move)."""
    import numpy as np

    from salesmetrics_xl.core.evaluate import group_sums

    rng = np.random.default_rng(7)
    for case in range(60):
        rows, groups = int(rng.integers(1, 600)), int(rng.integers(1, 40))
        codes = rng.integers(0, groups, rows)
        values = [rng.normal(0, 1e3, rows), rng.random(rows) * 1e-3, np.round(rng.random(rows) * 5000, 2)][case % 3]
        values[rng.random(rows) < 0.1] = np.nan
        total, count = group_sums(codes, values, groups)
        pooled = pd.Series(values).groupby(codes)
        expected = pooled.sum(min_count=1).reindex(range(groups)).to_numpy()
        assert np.array_equal(np.where(count > 0, total, np.nan), expected, equal_nan=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(count > 0, total / count, np.nan)
        assert np.array_equal(mean, pooled.mean().reindex(range(groups)).to_numpy(), equal_nan=True)


def _role_groups_by_pandas(frame: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """role_groups as pandas says it plainly (the rule before it was counted on codes): the reference."""
    if ROLE not in frame or not frame[ROLE].notna().any():
        return [(None, frame)]
    named = frame[ROLE].fillna("").astype(str)
    keys = named.map({r: text_key(r) for r in named.unique()})
    if len({k for k in keys.unique() if k}) == 1:
        spelled = frame[ROLE].dropna().astype(str)
        return [(spelled[keys[frame[ROLE].notna()].to_numpy() != ""].mode().iloc[0].strip(), frame)]
    out = []
    for key in sorted(keys.unique()):
        rows = frame[(keys == key).to_numpy()]
        spelled = rows[ROLE].dropna().astype(str)
        out.append((spelled.mode().iloc[0].strip() if key and len(spelled) else None, rows))
    return out


@given(st.lists(st.sampled_from(["SDR", "sdr ", " SDR", "AE", "ae", "Ae ", "", "  ", None, np.nan, "ß", "ẞ", 1]),
                min_size=1, max_size=12))
def test_roles_group_and_are_spelled_as_most_rows_spell_them(roles):
    """Blank, spaced, differently cased and tied spellings: the same groups, rows and names as the plain rule."""
    data = pd.DataFrame({REP: [f"R{i}" for i in range(len(roles))], ROLE: pd.Series(roles, dtype=object)},
                        index=np.arange(len(roles)) * 3)
    found, expected = role_groups(data), _role_groups_by_pandas(data)
    assert [name for name, _ in found] == [name for name, _ in expected]
    assert [rows.index.tolist() for _, rows in found] == [rows.index.tolist() for _, rows in expected]
