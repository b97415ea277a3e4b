"""Retention the way the Fundraising Effectiveness Project counts it: pure DataFrame functions.

Input: counted gifts (crm.reports.loaders.load_gifts) with a `year` column (with_years). Output:
per-donor totals by year, the figures of one year against the year before, and a table of years.
A rate whose denominator is zero is None (NaN/<NA> in a table): "no donors to keep", never 0.
"""

import pandas as pd

# The figures of `flask reports export retention --format json`, in this order (issue 14).
JSON_KEYS = (
    "donors",
    "donors_prior",
    "new",
    "retained",
    "recaptured",
    "lapsed",
    "upgraded",
    "same",
    "downgraded",
    "retention_rate",
    "new_donor_retention_rate",
    "repeat_donor_retention_rate",
    "dollar_retention_rate",
    "total_cents",
    "total_prior_cents",
    "gains_cents",
    "losses_cents",
    "net_cents",
)
EXTRA_KEYS = ("lapsed_new", "lapsed_repeat", "same_donor_dollar_retention_rate")
RATE_KEYS = (
    "retention_rate",
    "new_donor_retention_rate",
    "repeat_donor_retention_rate",
    "dollar_retention_rate",
    "same_donor_dollar_retention_rate",
)


def with_years(gifts, rule):
    """The gifts with the fiscal `year` (int64) each belongs to, by when its money came in."""
    return gifts.assign(year=rule.years_of(gifts["given_at"]))


def donor_years(gifts):
    """One row per donor and year with a counted gift: supporter_id, year, total_cents (int64)."""
    totals = gifts.groupby(["supporter_id", "year"], as_index=False, sort=True)["net_cents"].sum()
    return totals.rename(columns={"net_cents": "total_cents"}).astype(
        {"supporter_id": "int64", "year": "int64", "total_cents": "int64"}
    )


def _of_year(totals, year):
    return totals.loc[totals["year"] == year].set_index("supporter_id")["total_cents"]


def _rate(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def _cents(series):
    return int(series.sum()) if len(series) else 0


def retention_figures(totals, year):
    """The FEP figures of `year` against the year before it, from donor_years(); a dict of ints and rates."""
    first = totals.groupby("supporter_id")["year"].min()
    this, prior, before = (_of_year(totals, y) for y in (year, year - 1, year - 2))
    in_prior = this.index.isin(prior.index)
    first_this = first.reindex(this.index)
    new = this[(first_this == year).to_numpy()]
    retained = this[in_prior]
    recaptured = this[~in_prior & (first_this < year).to_numpy()]
    lapsed = prior[~prior.index.isin(this.index)]
    lapsed_new = lapsed[(first.reindex(lapsed.index) == year - 1).to_numpy()]
    prior_of_retained = prior.reindex(retained.index)
    change = retained - prior_of_retained
    upgraded, downgraded = change[change > 0], change[change < 0]
    new_in_prior = prior[(first.reindex(prior.index) == year - 1).to_numpy()]
    repeat_in_prior = prior[prior.index.isin(before.index)]
    total, total_prior = _cents(this), _cents(prior)
    gains = _cents(new) + _cents(recaptured) + _cents(upgraded)
    losses = -_cents(downgraded) + _cents(lapsed)
    return {
        "year": int(year),
        "donors": len(this),
        "donors_prior": len(prior),
        "new": len(new),
        "retained": len(retained),
        "recaptured": len(recaptured),
        "lapsed": len(lapsed),
        "lapsed_new": len(lapsed_new),
        "lapsed_repeat": len(lapsed) - len(lapsed_new),
        "upgraded": len(upgraded),
        "same": int((change == 0).sum()),
        "downgraded": len(downgraded),
        "retention_rate": _rate(len(retained), len(prior)),
        "new_donor_retention_rate": _rate(int(new_in_prior.index.isin(this.index).sum()), len(new_in_prior)),
        "repeat_donor_retention_rate": _rate(int(repeat_in_prior.index.isin(this.index).sum()), len(repeat_in_prior)),
        "dollar_retention_rate": _rate(_cents(retained), total_prior),
        "same_donor_dollar_retention_rate": _rate(_cents(retained), _cents(prior_of_retained)),
        "total_cents": total,
        "total_prior_cents": total_prior,
        "gains_cents": gains,
        "losses_cents": losses,
        "net_cents": gains - losses,
    }


def json_figures(figures):
    """Exactly the issue's keys, in its order."""
    return {key: figures[key] for key in JSON_KEYS}


def retention_table(totals, last_year, years=5):
    """The figures of the `years` years ending with `last_year`, one row a year, oldest first."""
    rows = [retention_figures(totals, year) for year in range(last_year - years + 1, last_year + 1)]
    table = pd.DataFrame(rows, columns=["year", *JSON_KEYS, *EXTRA_KEYS])
    counts = [key for key in table.columns if key not in RATE_KEYS]
    return table.astype({**dict.fromkeys(counts, "int64"), **dict.fromkeys(RATE_KEYS, "Float64")})
