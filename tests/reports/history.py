"""Random gift histories for the report tests, and the figures written again by hand in SQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, insert, text

from crm.extensions import db
from crm.payments.models import Donation
from crm.supporters.models import Supporter
from crm.utc import UTCDateTime

STATUSES = ("succeeded",) * 6 + ("partially_refunded", "refunded", "failed", "pending", "disputed")
START = datetime(2019, 1, 1, tzinfo=UTC)
END = datetime(2026, 11, 30, tzinfo=UTC)


def random_gifts(rng, people=40, most=12):
    """Rows of donations (dicts for Donation) for `people` supporters: every status, some USD, refunds, disputes."""
    span = int((END - START).total_seconds())
    rows = []
    for supporter_id in range(1, people + 1):
        for _ in range(rng.randint(0, most)):
            amount = rng.choice((500, 1000, 2500, 5000, 10000, rng.randint(100, 50000)))
            status = rng.choice(STATUSES)
            refunded = {"refunded": amount, "partially_refunded": rng.randint(1, amount - 1) if amount > 1 else 0}
            dispute = rng.choice(("", "", "", "lost", "won", "needs_response"))
            if dispute == "lost":
                status = "refunded"
            created = START + timedelta(seconds=rng.randrange(span))
            succeeded = created + timedelta(hours=rng.randint(0, 30)) if rng.random() < 0.8 else None
            rows.append(
                {
                    "supporter_id": supporter_id,
                    "amount_cents": amount,
                    "refunded_cents": amount if dispute == "lost" else refunded.get(status, 0),
                    "currency": "usd" if rng.random() < 0.08 else rng.choice(("cad", "cad", "CAD")),
                    "status": "disputed" if dispute == "needs_response" else status,
                    "dispute_status": dispute,
                    "kind": "one_time",
                    "method": rng.choice(("card", "cheque", "cash")),
                    "created_at": created,
                    "succeeded_at": succeeded,
                    "email": f"p{supporter_id}@example.org",
                }
            )
    return rows


ERASED_EVERY = 13  # supporter ids divisible by it are erased: their gifts count, lists leave them out


def insert_history(rows, people):
    """Bulk-insert `people` supporters (ids 1..people, some erased) and the donation rows; commit."""
    erased_at = datetime(2026, 1, 5, tzinfo=UTC)
    db.session.execute(
        insert(Supporter),
        [
            {
                "id": i,
                "email": None if i % ERASED_EVERY == 0 else f"p{i}@example.org",
                "first_name": f"P{i}",
                "language": ("en", "fr")[i % 2],
                "erased_at": erased_at if i % ERASED_EVERY == 0 else None,
            }
            for i in range(1, people + 1)
        ],
    )
    if rows:
        db.session.execute(insert(Donation), rows)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('supporters_id_seq', (SELECT MAX(id) FROM supporters))"))
    db.session.commit()


COUNTED = """
g AS (SELECT supporter_id, amount_cents - refunded_cents AS net, COALESCE(succeeded_at, created_at) AS at
      FROM donations
      WHERE status IN ('succeeded', 'partially_refunded') AND amount_cents - refunded_cents > 0
        AND dispute_status <> 'lost' AND lower(currency) = 'cad' AND COALESCE(succeeded_at, created_at) < :now),
y AS (SELECT supporter_id, SUM(net) AS t FROM g WHERE at >= :ys AND at < :ye GROUP BY supporter_id),
p AS (SELECT supporter_id, SUM(net) AS t FROM g WHERE at >= :ps AND at < :ys GROUP BY supporter_id),
b AS (SELECT supporter_id, SUM(net) AS t FROM g WHERE at >= :bs AND at < :ps GROUP BY supporter_id),
f AS (SELECT supporter_id, MIN(at) AS first FROM g GROUP BY supporter_id)
"""

FIGURES = {
    "donors": "SELECT COUNT(*) FROM y",
    "donors_prior": "SELECT COUNT(*) FROM p",
    "new": "SELECT COUNT(*) FROM y JOIN f ON f.supporter_id = y.supporter_id WHERE f.first >= :ys",
    "retained": "SELECT COUNT(*) FROM y JOIN p ON p.supporter_id = y.supporter_id",
    "recaptured": "SELECT COUNT(*) FROM y JOIN f ON f.supporter_id = y.supporter_id"
    " WHERE f.first < :ps AND y.supporter_id NOT IN (SELECT supporter_id FROM p)",
    "lapsed": "SELECT COUNT(*) FROM p WHERE supporter_id NOT IN (SELECT supporter_id FROM y)",
    "lapsed_new": "SELECT COUNT(*) FROM p JOIN f ON f.supporter_id = p.supporter_id"
    " WHERE f.first >= :ps AND p.supporter_id NOT IN (SELECT supporter_id FROM y)",
    "upgraded": "SELECT COUNT(*) FROM y JOIN p ON p.supporter_id = y.supporter_id WHERE y.t > p.t",
    "same": "SELECT COUNT(*) FROM y JOIN p ON p.supporter_id = y.supporter_id WHERE y.t = p.t",
    "downgraded": "SELECT COUNT(*) FROM y JOIN p ON p.supporter_id = y.supporter_id WHERE y.t < p.t",
    "new_prior": "SELECT COUNT(*) FROM p JOIN f ON f.supporter_id = p.supporter_id WHERE f.first >= :ps",
    "new_prior_kept": "SELECT COUNT(*) FROM p JOIN f ON f.supporter_id = p.supporter_id"
    " WHERE f.first >= :ps AND p.supporter_id IN (SELECT supporter_id FROM y)",
    "repeat_prior": "SELECT COUNT(*) FROM p JOIN b ON b.supporter_id = p.supporter_id",
    "repeat_prior_kept": "SELECT COUNT(*) FROM p JOIN b ON b.supporter_id = p.supporter_id"
    " WHERE p.supporter_id IN (SELECT supporter_id FROM y)",
    "total_cents": "SELECT COALESCE(SUM(t), 0) FROM y",
    "total_prior_cents": "SELECT COALESCE(SUM(t), 0) FROM p",
    "retained_cents": "SELECT COALESCE(SUM(y.t), 0) FROM y JOIN p ON p.supporter_id = y.supporter_id",
    "retained_prior_cents": "SELECT COALESCE(SUM(p.t), 0) FROM y JOIN p ON p.supporter_id = y.supporter_id",
    "new_cents": "SELECT COALESCE(SUM(y.t), 0) FROM y JOIN f ON f.supporter_id = y.supporter_id WHERE f.first >= :ys",
    "recaptured_cents": "SELECT COALESCE(SUM(y.t), 0) FROM y JOIN f ON f.supporter_id = y.supporter_id"
    " WHERE f.first < :ps AND y.supporter_id NOT IN (SELECT supporter_id FROM p)",
    "upgrade_cents": "SELECT COALESCE(SUM(y.t - p.t), 0) FROM y JOIN p ON p.supporter_id = y.supporter_id"
    " WHERE y.t > p.t",
    "downgrade_cents": "SELECT COALESCE(SUM(p.t - y.t), 0) FROM y JOIN p ON p.supporter_id = y.supporter_id"
    " WHERE y.t < p.t",
    "lapsed_cents": "SELECT COALESCE(SUM(t), 0) FROM p WHERE supporter_id NOT IN (SELECT supporter_id FROM y)",
}

LAPSED_PEOPLE = """
SELECT s.id, s.email, COALESCE(p.t, 0) AS prior_total, (SELECT SUM(net) FROM g WHERE g.supporter_id = s.id
  AND g.at < :ye) AS lifetime
FROM supporters s LEFT JOIN p ON p.supporter_id = s.id
WHERE s.erased_at IS NULL AND s.merged_into_id IS NULL AND s.id IN ({who}) AND s.id NOT IN (SELECT supporter_id FROM y)
ORDER BY s.id
"""
LYBUNT_WHO = "SELECT supporter_id FROM p"
SYBUNT_WHO = "SELECT supporter_id FROM g WHERE at < :ps AND supporter_id NOT IN (SELECT supporter_id FROM p)"


def _params(rule, year, now):
    ys, ye = rule.bounds(year)
    ps, bs = rule.bounds(year - 1)[0], rule.bounds(year - 2)[0]
    return {"ys": ys, "ye": ye, "ps": ps, "bs": bs, "now": now}


def _run(sql, params):
    statement = text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in params))
    return db.session.execute(statement, params)


def by_hand(rule, year, now):
    """Every figure of `year` computed again by hand-written SQL: a dict of ints (cents and counts)."""
    params = _params(rule, year, now)
    return {name: int(_run(f"WITH {COUNTED} {sql}", params).scalar()) for name, sql in FIGURES.items()}


def lapsed_by_hand(rule, year, now, who):
    """[(id, email, prior total, lifetime)] of LYBUNT (who=LYBUNT_WHO) or SYBUNT by hand-written SQL."""
    params = _params(rule, year, now)
    rows = _run(f"WITH {COUNTED} {LAPSED_PEOPLE.format(who=who)}", params).all()
    return [(row[0], row[1], int(row[2]), int(row[3])) for row in rows]
