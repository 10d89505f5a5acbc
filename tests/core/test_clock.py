"""The one clock (ARCHITECTURE "Time is injected"; SPEC §10: replay any date; BIL-1: Asia/Seoul)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import clock

SEOUL = ZoneInfo("Asia/Seoul")


def test_now_is_aware_in_seoul():
    """BIL-1: business dates are Asia/Seoul dates; now() is aware."""
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(hours=9)
    assert clock.today() == moment.date()
    assert not clock.is_overridden()


def test_frozen_date_sets_today_and_resets():
    """§10: run_jobs --date replays a day through clock.frozen."""
    real = clock.today()
    with clock.frozen(dt.date(2026, 11, 1)) as moment:
        assert clock.today() == dt.date(2026, 11, 1)
        assert moment == dt.datetime(2026, 11, 1, 9, 0, tzinfo=SEOUL)
        assert clock.now() == moment
        assert clock.is_overridden()
    assert clock.today() == real
    assert not clock.is_overridden()


def test_frozen_nests():
    """§10: an inner freeze wins and the outer one comes back after it."""
    with clock.frozen(dt.date(2026, 11, 1)):
        with clock.frozen(dt.date(2027, 1, 31)):
            assert clock.today() == dt.date(2027, 1, 31)
        assert clock.today() == dt.date(2026, 11, 1)


def test_frozen_resets_after_an_exception():
    """§10: a failing job does not leave the clock frozen."""
    real = clock.today()
    with pytest.raises(RuntimeError), clock.frozen(dt.date(2026, 11, 1)):
        raise RuntimeError
    assert clock.today() == real


def test_frozen_datetime_is_seoul():
    """BIL-1: a naive datetime is read as Seoul time; an aware one is converted to Seoul."""
    with clock.frozen(dt.datetime(2026, 11, 1, 23, 30)):
        assert clock.now() == dt.datetime(2026, 11, 1, 23, 30, tzinfo=SEOUL)
    # 2026-10-31 16:00 UTC is 2026-11-01 01:00 in Seoul: the business date is November 1st.
    with clock.frozen(dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2026, 11, 1)
        assert clock.now().utcoffset() == dt.timedelta(hours=9)


def test_clock_today_setting_overrides(settings):
    """§10: CLOCK_TODAY sets the date for a whole process (demo, replays)."""
    settings.CLOCK_TODAY = "2026-12-24"
    assert clock.today() == dt.date(2026, 12, 24)
    assert clock.now().date() == dt.date(2026, 12, 24)
    assert clock.now().utcoffset() == dt.timedelta(hours=9)
    assert clock.is_overridden()
    with clock.frozen(dt.date(2026, 11, 1)):  # a block freeze beats the setting
        assert clock.today() == dt.date(2026, 11, 1)


def test_bad_clock_today_setting_is_a_configuration_error(settings):
    """§10: a mistyped CLOCK_TODAY says what is wrong."""
    settings.CLOCK_TODAY = "24/12/2026"
    with pytest.raises(ImproperlyConfigured, match="CLOCK_TODAY"):
        clock.today()


def test_helpers():
    """BIL-1: Seoul dates and day starts."""
    assert clock.to_seoul_date(dt.datetime(2026, 10, 31, 15, 0, tzinfo=dt.UTC)) == dt.date(2026, 11, 1)
    start = clock.start_of_day(dt.date(2026, 11, 1))
    assert start == dt.datetime(2026, 11, 1, tzinfo=SEOUL)
    assert start.utcoffset() == dt.timedelta(hours=9)
