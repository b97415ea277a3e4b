"""The rules that live on the models, which services and templates both read."""

from datetime import UTC, datetime, timedelta

import pytest

from crm.catalog.models import Order
from crm.mail.models import Enrolment, Sequence, SequenceStep
from crm.payments.models import Donation, RecurringGift
from crm.supporters.models import Supporter

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("active", "paused", True),
        ("paused", "active", True),
        ("active", "stopped", True),
        ("paused", "stopped", True),
        ("active", "active", False),
        ("paused", "paused", False),
        ("stopped", "active", False),
        ("stopped", "paused", False),
        ("completed", "active", False),
        ("completed", "stopped", False),
        ("active", "completed", False),
    ],
)
def test_enrolment_moves(start, target, allowed):
    enrolment = Enrolment(state=start, next_step_at=NOW - timedelta(days=2))
    assert enrolment.can_move_to(target) is allowed
    if allowed:
        enrolment.move_to(target, NOW)
        assert enrolment.state == target
    else:
        with pytest.raises(ValueError):
            enrolment.move_to(target, NOW)
        assert enrolment.state == start


def test_a_resumed_enrolment_is_due_now_at_the_earliest_and_a_stopped_one_says_why():
    late = Enrolment(state="paused", next_step_at=NOW - timedelta(days=2))
    late.move_to("active", NOW)
    assert late.next_step_at == NOW
    ahead = Enrolment(state="paused", next_step_at=NOW + timedelta(days=2))
    ahead.move_to("active", NOW)
    assert ahead.next_step_at == NOW + timedelta(days=2)
    stopped = Enrolment(state="active", next_step_at=NOW)
    stopped.move_to("stopped", NOW, "x" * 300)
    assert (stopped.next_step_at, stopped.stopped_reason) == (None, "x" * 200)


def _completed(event_steps):
    """An enrolment past its two start steps, in a sequence with or without an event step."""
    steps = [SequenceStep(position=1, anchor="start"), SequenceStep(position=2, anchor="start")]
    steps += [SequenceStep(position=3, anchor="event")] if event_steps else []
    return Enrolment(state="completed", next_position=3, sequence=Sequence(steps=steps))


def test_a_completed_enrolment_with_event_steps_ahead_may_be_paused_stopped_and_resumed_to_completed():
    plain = _completed(event_steps=False)
    assert not any(plain.can_move_to(state) for state in ("active", "paused", "stopped"))
    with_event = _completed(event_steps=True)
    assert (with_event.can_move_to("active"), with_event.can_move_to("paused")) == (False, True)
    with_event.move_to("paused", NOW, "paused by staff")
    assert (with_event.state, with_event.stopped_reason) == ("paused", "paused by staff")
    with_event.move_to("active", NOW)
    assert (with_event.state, with_event.next_step_at, with_event.stopped_reason) == ("completed", None, "")
    with_event.move_to("stopped", NOW, "stopped by staff")
    assert with_event.state == "stopped"


def _gift(**values):
    base = {"method": "card", "status": "succeeded", "amount_cents": 5000, "refunded_cents": 0}
    return Donation(**{**base, "stripe_payment_intent_id": "pi_1", **values})


@pytest.mark.parametrize(
    ("values", "refundable"),
    [
        ({}, True),
        ({"status": "partially_refunded", "refunded_cents": 1000}, True),
        ({"status": "partially_refunded", "refunded_cents": 5000}, False),
        ({"status": "refunded", "refunded_cents": 5000}, False),
        ({"status": "disputed"}, False),
        ({"status": "pending"}, False),
        ({"status": "failed"}, False),
        ({"method": "cheque", "stripe_payment_intent_id": None}, False),
        ({"stripe_payment_intent_id": None}, False),
        ({"stripe_payment_intent_id": None, "stripe_charge_id": "ch_1"}, True),
    ],
)
def test_what_is_refundable(values, refundable):
    assert _gift(**values).is_refundable is refundable


@pytest.mark.parametrize(
    ("status", "paid"),
    [
        ("paid", True),
        ("partially_refunded", True),
        ("pending", False),
        ("failed", False),
        ("refunded", False),
        ("cancelled", False),
    ],
)
def test_which_orders_are_paid(status, paid):
    assert Order(status=status).is_paid is paid


def test_cancelling_a_monthly_gift():
    gift = RecurringGift(status="active")
    assert not gift.is_cancelled
    gift.cancel(NOW)
    assert (gift.status, gift.cancelled_at, gift.is_cancelled) == ("cancelled", NOW, True)


@pytest.mark.parametrize(
    ("merged_into_id", "erased_at", "active"), [(None, None, True), (7, None, False), (None, NOW, False)]
)
def test_an_active_record_is_neither_merged_nor_erased(merged_into_id, erased_at, active):
    assert Supporter(merged_into_id=merged_into_id, erased_at=erased_at).is_active_record is active
