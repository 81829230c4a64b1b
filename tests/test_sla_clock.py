"""SLA clock arithmetic: business hours, weekends, time zones and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, time

from chalicelib.ops.sla import Calendar, Clock, state_of


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


OFFICE = Calendar(timezone="UTC", days=(0, 1, 2, 3, 4), start=time(9), end=time(17))


def test_friday_afternoon_ticket_is_due_on_monday_morning():
    # Friday 16:00 + 2 working hours = 1 h on Friday + 1 h on Monday
    assert OFFICE.add_business_seconds(at("2026-11-27T16:00:00"), 2 * 3600) == at("2026-11-30T10:00:00")
    assert OFFICE.business_seconds(at("2026-11-27T16:00:00"), at("2026-11-30T10:00:00")) == 2 * 3600


def test_a_ticket_opened_on_saturday_starts_counting_on_monday():
    assert OFFICE.add_business_seconds(at("2026-11-28T11:00:00"), 30 * 60) == at("2026-11-30T09:30:00")


def test_time_zone_shifts_the_working_window():
    amsterdam = Calendar(timezone="Europe/Amsterdam", days=(0, 1, 2, 3, 4), start=time(9), end=time(17))
    # 09:00 in Amsterdam in November is 08:00 UTC
    assert amsterdam.add_business_seconds(at("2026-11-30T07:00:00"), 3600) == at("2026-11-30T09:00:00")


def test_daylight_saving_day_has_the_same_working_hours():
    amsterdam = Calendar(timezone="Europe/Amsterdam", days=(0, 1, 2, 3, 4, 5, 6), start=time(9), end=time(17))
    # 29 March 2026: clocks go forward at 02:00; the 09:00-17:00 window is still 8 hours
    assert amsterdam.business_seconds(at("2026-03-29T00:00:00"), at("2026-03-30T00:00:00")) == 8 * 3600


def test_24x7_counts_every_second():
    always = Calendar.always()
    assert always.add_business_seconds(at("2026-11-28T23:30:00"), 3600) == at("2026-11-29T00:30:00")


def test_pending_pause_stops_the_clock_and_moves_the_due_time():
    clock = Clock(started_at=at("2026-11-30T09:00:00"))  # Monday
    target = 4 * 3600
    assert clock.due(OFFICE, target, at("2026-11-30T09:00:00")) == at("2026-11-30T13:00:00")
    clock.pause(at("2026-11-30T10:00:00"))            # waiting on the customer after 1 h
    assert clock.elapsed(OFFICE, at("2026-12-01T12:00:00")) == 3600  # nothing counts while pending
    clock.resume(OFFICE, at("2026-12-01T11:00:00"))   # customer answers Tuesday 11:00
    assert clock.elapsed(OFFICE, at("2026-12-01T12:00:00")) == 2 * 3600
    assert clock.due(OFFICE, target, at("2026-12-01T12:00:00")) == at("2026-12-01T14:00:00")


def test_pause_across_a_weekend_with_resume_on_monday():
    clock = Clock(started_at=at("2026-11-27T15:00:00"))  # Friday 15:00
    clock.pause(at("2026-11-27T16:00:00"))
    clock.resume(OFFICE, at("2026-11-30T10:00:00"))      # Monday 10:00
    assert clock.elapsed(OFFICE, at("2026-11-30T11:00:00")) == 2 * 3600


def test_states():
    assert state_of(100, 1000, None) == "ok"
    assert state_of(800, 1000, None) == "at_risk"
    assert state_of(1001, 1000, None) == "breached"
    assert state_of(5000, 1000, 900) == "ok"
    assert state_of(5000, 1000, 1200) == "breached"
