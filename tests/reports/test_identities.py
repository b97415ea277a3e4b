"""The FEP identities on random histories, and every figure against hand-written SQL (both engines)."""

import random
from datetime import UTC, datetime

import pandas as pd
import pytest

from crm.reports import lapsed, retention
from crm.reports.exporting import build_report
from crm.reports.loaders import load_gifts
from crm.reports.years import YearRule
from tests.reports.history import (
    LYBUNT_WHO,
    SYBUNT_WHO,
    by_hand,
    insert_history,
    lapsed_by_hand,
    random_gifts,
)

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
TORONTO = "America/Toronto"


def _random_frame(rng):
    """Counted gifts as load_gifts gives them, for the pure functions alone (no database)."""
    rows = [(i, rng.randint(1, 30), rng.randint(1, 40000), rng.randint(2015, 2026)) for i in range(rng.randint(0, 150))]
    return pd.DataFrame(
        {
            "donation_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "supporter_id": pd.Series([r[1] for r in rows], dtype="int64"),
            "net_cents": pd.Series([r[2] for r in rows], dtype="int64"),
            "given_at": pd.Series([datetime(r[3], 6, 1, tzinfo=UTC) for r in rows], dtype="datetime64[us, UTC]"),
            "year": pd.Series([r[3] for r in rows], dtype="int64"),
        }
    )


def test_identities_hold_on_many_random_histories():
    rng = random.Random(14)
    for _ in range(50):
        gifts = _random_frame(rng)
        totals = retention.donor_years(gifts)
        for year in (2017, 2022, 2026):
            f = retention.retention_figures(totals, year)
            assert f["net_cents"] == f["total_cents"] - f["total_prior_cents"]
            assert f["new"] + f["recaptured"] - f["lapsed"] == f["donors"] - f["donors_prior"]
            assert f["new"] + f["recaptured"] + f["retained"] == f["donors"]
            assert f["retained"] + f["lapsed"] == f["donors_prior"]
            assert f["upgraded"] + f["same"] + f["downgraded"] == f["retained"]
            assert f["lapsed_new"] + f["lapsed_repeat"] == f["lapsed"]
            assert all(type(f[key]) is int for key in retention.JSON_KEYS if key not in retention.RATE_KEYS)
            ly = set(lapsed.lybunt(gifts, year)["supporter_id"])
            sy = set(lapsed.sybunt(gifts, year)["supporter_id"])
            assert len(ly) == f["lapsed"] and not ly & sy
            assert set(lapsed.sybunt(gifts, year, "civicrm")["supporter_id"]) == ly | sy


def test_money_stays_integer_and_moments_utc(ctx):
    gifts = load_gifts("cad")
    assert str(gifts["net_cents"].dtype) == "int64" and str(gifts["given_at"].dtype) == "datetime64[us, UTC]"
    table = retention.retention_table(retention.donor_years(retention.with_years(gifts, YearRule())), 2026)
    assert len(table) == 5 and all(str(table[c].dtype) == "int64" for c in ("donors", "total_cents", "net_cents"))
    assert table["retention_rate"].isna().all()  # nobody to keep: no rate, not 0 %


@pytest.mark.parametrize("seed, start", [(1, "01-01"), (2, "04-01"), (3, "07-01")])
def test_every_figure_matches_hand_written_sql(ctx, seed, start):
    rng = random.Random(seed)
    people = 60
    insert_history(random_gifts(rng, people=people), people)
    rule = YearRule.parse(start, TORONTO)
    gifts = retention.with_years(load_gifts("cad", until=NOW), rule)
    totals = retention.donor_years(gifts)
    checked = 0
    for year in range(2020, 2027):
        mine, sql = retention.retention_figures(totals, year), by_hand(rule, year, NOW)
        for key in ("donors", "donors_prior", "new", "retained", "recaptured", "lapsed", "lapsed_new"):
            assert mine[key] == sql[key], (year, key)
        for key in ("upgraded", "same", "downgraded", "total_cents", "total_prior_cents"):
            assert mine[key] == sql[key], (year, key)
        assert mine["gains_cents"] == sql["new_cents"] + sql["recaptured_cents"] + sql["upgrade_cents"]
        assert mine["losses_cents"] == sql["downgrade_cents"] + sql["lapsed_cents"]
        assert mine["net_cents"] == sql["total_cents"] - sql["total_prior_cents"]
        expected_rates = {
            "retention_rate": (sql["retained"], sql["donors_prior"]),
            "new_donor_retention_rate": (sql["new_prior_kept"], sql["new_prior"]),
            "repeat_donor_retention_rate": (sql["repeat_prior_kept"], sql["repeat_prior"]),
            "dollar_retention_rate": (sql["retained_cents"], sql["total_prior_cents"]),
            "same_donor_dollar_retention_rate": (sql["retained_cents"], sql["retained_prior_cents"]),
        }
        for key, (top, bottom) in expected_rates.items():
            assert mine[key] == (None if bottom == 0 else pytest.approx(top / bottom)), (year, key)
        checked += mine["donors"]
        for name, who in (("lybunt", LYBUNT_WHO), ("sybunt", SYBUNT_WHO)):
            built = build_report(name, year=year, rule=rule, currency="cad", now=NOW)
            got = sorted(
                (p["supporter_id"], p["email"], p["prior_total_cents"], p["lifetime_cents"]) for p in built.json_value
            )
            assert got == lapsed_by_hand(rule, year, NOW, who), (year, name)
    assert checked > 50  # the histories give something to check
