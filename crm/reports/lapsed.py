"""LYBUNT and SYBUNT: who gave before and not in the year asked about (pure DataFrame functions).

Only counted gifts decide (a failed or pending gift this year does not hide a lapsed donor), and
only people who gave are listed. Both conventions take gifts up to the end of `year`:
- "fep" (this house): LYBUNT gave in the prior year P, not in Y; SYBUNT gave in some year before P,
  not in P nor Y. The two lists never share a person.
- "civicrm": CiviCRM's reports (CRM_Report_Form_Contribute_Lybunt/Sybunt): LYBUNT as above; SYBUNT
  gave in any year before Y, not in Y, so it includes every LYBUNT donor.
"""

import pandas as pd

CONVENTIONS = ("fep", "civicrm")
SUMMARY_COLUMNS = (
    "supporter_id",
    "last_gift_at",
    "last_gift_cents",
    "prior_total_cents",
    "lifetime_cents",
)


def _summary(gifts, ids, year):
    """For each of `ids`: last gift (moment, net cents), total in year-1, lifetime total."""
    mine = gifts.loc[gifts["supporter_id"].isin(ids)].sort_values(["given_at", "donation_id"])
    if mine.empty:
        return pd.DataFrame({name: pd.Series(dtype="int64") for name in SUMMARY_COLUMNS}).astype(
            {"last_gift_at": "datetime64[us, UTC]"}
        )
    last = mine.groupby("supporter_id").tail(1).set_index("supporter_id")
    lifetime = mine.groupby("supporter_id")["net_cents"].sum()
    prior = mine.loc[mine["year"] == year - 1].groupby("supporter_id")["net_cents"].sum()
    summary = pd.DataFrame(
        {
            "last_gift_at": last["given_at"],
            "last_gift_cents": last["net_cents"],
            "prior_total_cents": prior.reindex(last.index, fill_value=0),
            "lifetime_cents": lifetime.reindex(last.index),
        }
    )
    summary.index.name = "supporter_id"
    summary = summary.reset_index().sort_values(["prior_total_cents", "lifetime_cents", "supporter_id"])
    summary = summary.iloc[::-1].reset_index(drop=True)
    return summary.astype(
        {"supporter_id": "int64", "last_gift_cents": "int64", "prior_total_cents": "int64", "lifetime_cents": "int64"}
    )[list(SUMMARY_COLUMNS)]


def _givers(gifts, condition):
    return set(gifts.loc[condition, "supporter_id"].tolist())


def lybunt(gifts, year):
    """People with a counted gift in year-1 and none in `year` (gifts carry `year`, see with_years)."""
    gifts = gifts.loc[gifts["year"] <= year]
    ids = _givers(gifts, gifts["year"] == year - 1) - _givers(gifts, gifts["year"] == year)
    return _summary(gifts, ids, year)


def sybunt(gifts, year, convention="fep"):
    """People with a counted gift in an earlier year and none in `year` (nor year-1 unless "civicrm")."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    gifts = gifts.loc[gifts["year"] <= year]
    if convention == "civicrm":
        ids = _givers(gifts, gifts["year"] < year) - _givers(gifts, gifts["year"] == year)
    else:
        ids = _givers(gifts, gifts["year"] < year - 1) - _givers(gifts, gifts["year"] >= year - 1)
    return _summary(gifts, ids, year)


def with_people(summary, people):
    """The list joined to the people (load_people): erased and merged records drop out."""
    joined = summary.merge(people, on="supporter_id", how="inner", validate="one_to_one")
    joined = joined[[*people.columns, *(name for name in SUMMARY_COLUMNS if name != "supporter_id")]]
    return joined.sort_values(["prior_total_cents", "lifetime_cents", "supporter_id"], ascending=False).reset_index(
        drop=True
    )
