"""`flask payments reconcile`: repair from Stripe what the webhooks never told us; a second run changes nothing."""

from datetime import timedelta

from crm.extensions import db
from crm.mail.models import OutboundEmail
from crm.payments.models import Donation
from crm.payments.services.reconcile import reconcile
from crm.utc import utcnow
from tests.payments.helpers import outside_payment, paid_gift, renew, started_gift, stripe_api, three_d_secure_gift


def run(runner):
    result = runner.invoke(args=["payments", "reconcile", "--days", "3"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def status(app, donation_id):
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        return donation.status, donation.refunded_cents


def thanks_emails(app):
    with app.app_context():
        return db.session.scalars(db.select(OutboundEmail.dedupe_key).filter_by(template="gift_thanks")).all()


def test_reconcile_fulfils_a_paid_gift_whose_webhook_never_came(app, client, localstripe, runner):
    gift, pi = three_d_secure_gift(app, client, localstripe)
    assert thanks_emails(app) == []
    assert run(runner) == [f"gift {gift} ({pi}): pending -> succeeded", "1 change(s)."]
    assert status(app, gift) == ("succeeded", 0)
    assert thanks_emails(app) == [f"gift-thanks:donation:{gift}"]
    assert run(runner) == ["0 change(s)."]
    assert thanks_emails(app) == [f"gift-thanks:donation:{gift}"]


def test_reconcile_marks_a_failed_payment_and_leaves_good_gifts_alone(app, client, localstripe, runner):
    paid, _paid_pi = paid_gift(app, client, localstripe)
    failed, pi = three_d_secure_gift(app, client, localstripe, success=False)
    outside_payment(localstripe)  # paid through Stripe, not through the CRM: not ours to repair
    assert run(runner) == [f"gift {failed} ({pi}): pending -> failed", "1 change(s)."]
    assert status(app, failed)[0] == "failed"
    assert status(app, paid) == ("succeeded", 0)
    assert run(runner) == ["0 change(s)."]


def test_reconcile_records_a_dashboard_refund_whose_webhook_never_came(app, client, localstripe, runner):
    gift, pi = paid_gift(app, client, localstripe)
    stripe_api(localstripe, "POST", "refunds", payment_intent=pi, amount=1500)
    assert run(runner) == [
        f"gift {gift} ({pi}): succeeded -> partially_refunded, 1500 cents refunded",
        "1 change(s).",
    ]
    assert status(app, gift) == ("partially_refunded", 1500)
    assert run(runner) == ["0 change(s)."]


def test_reconcile_records_a_monthly_renewal_whose_webhook_never_came(app, client, localstripe, runner):
    plan, _thanks = started_gift(app, client, localstripe)
    invoice = renew(localstripe, plan)
    lines = run(runner)
    with app.app_context():
        renewal = db.session.scalar(db.select(Donation).filter_by(stripe_invoice_id=invoice["id"]))
        assert (renewal.status, renewal.recurring_gift_id) == ("succeeded", plan.id)
    assert lines == [f"gift {renewal.id} ({invoice['id']}): missing -> succeeded", "1 change(s)."]
    assert run(runner) == ["0 change(s)."]


def test_reconcile_reads_only_the_days_asked_for(app, client, localstripe):
    gift, _pi = three_d_secure_gift(app, client, localstripe)
    with app.app_context():
        assert reconcile(days=3, now=utcnow() + timedelta(days=4)) == []
        db.session.commit()
    assert status(app, gift) == ("pending", 0)


def test_reconcile_refuses_a_silly_number_of_days(runner):
    for days in ("0", "-3", "91", "x", "3; DROP TABLE donations"):
        result = runner.invoke(args=["payments", "reconcile", "--days", days])
        assert result.exit_code == 2
        assert "Invalid value" in result.output
