"""Tests for bot.schedule: post-time parsing and DST-correct daily slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    InvalidPostTime,
    format_post_time,
    is_due,
    local_date,
    next_post_at,
    parse_post_time,
    slot_utc,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Any instant, or one within a day of a 2024 DST change in New York or Berlin (where bugs hide).
_DST_CHANGES = [utc(2024, 3, 10, 7), utc(2024, 11, 3, 6), utc(2024, 3, 31, 1), utc(2024, 10, 27, 1)]
UTC_NOWS = st.one_of(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    st.builds(
        lambda change, seconds: change + timedelta(seconds=seconds),
        st.sampled_from(_DST_CHANGES),
        st.integers(-86_400, 86_400),
    ),
)


# --- parse_post_time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:00", time(8, 0)),
        ("08:00", time(8, 0)),
        ("08：00", time(8, 0)),  # full-width colon
        ("０８：３０", time(8, 30)),  # full-width digits too
        (" 21:30 ", time(21, 30)),
        ("0:00", time(0, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_post_time_accepts(text: str, expected: time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "12:60",
        "8点",
        "",
        "   ",
        "abc",
        "0800",  # bare digits are rejected on purpose
        "800",
        "8:0",
        "8:000",
        "123:00",
        "08:00:00",
        "-1:00",
        "8 : 00",
        "٠٨:٠٠",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_parse_post_time_rejects(text: str) -> None:
    with pytest.raises(InvalidPostTime) as info:
        parse_post_time(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert "HH:MM, 24-hour, e.g. 08:00 or 21:30" in err.message
    assert err.message == str(err)
    assert repr(text) in err.message
    assert err.user_message == "时间格式不对，请用 HH:MM（24 小时制），例如 08:00 或 21:30。"
    assert err.text == text


def test_parse_post_time_rejects_non_string() -> None:
    with pytest.raises(InvalidPostTime):
        parse_post_time(800)  # type: ignore[arg-type]


@given(st.integers(0, 23), st.integers(0, 59))
def test_format_and_parse_round_trip(hour: int, minute: int) -> None:
    text = format_post_time(time(hour, minute))
    assert len(text) == 5
    assert parse_post_time(text) == time(hour, minute)


# --- local_date ---------------------------------------------------------------------------------


def test_local_date_crosses_midnight_ahead_of_utc() -> None:
    # 16:00 UTC is midnight in Shanghai (UTC+8): already the next day there.
    assert local_date(utc(2024, 1, 1, 15, 59, 59), SHANGHAI) == date(2024, 1, 1)
    assert local_date(utc(2024, 1, 1, 16, 0), SHANGHAI) == date(2024, 1, 2)


def test_local_date_behind_utc() -> None:
    # 03:00 UTC on Jan 2 is still Jan 1 evening in New York.
    assert local_date(utc(2024, 1, 2, 3, 0), NEW_YORK) == date(2024, 1, 1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2024, 1, 1, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(naive, SHANGHAI)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_due(time(8, 0), SHANGHAI, naive, False)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_post_at(time(8, 0), SHANGHAI, naive, False)


def test_aware_non_utc_now_is_accepted() -> None:
    now = datetime(2024, 1, 1, 9, 0, tzinfo=SHANGHAI)  # == 01:00 UTC
    assert local_date(now, SHANGHAI) == date(2024, 1, 1)
    assert is_due(time(9, 0), SHANGHAI, now, False)
    assert not is_due(time(9, 1), SHANGHAI, now, False)


# --- slots and DST ------------------------------------------------------------------------------


def test_shanghai_slot_is_fixed_offset() -> None:
    assert slot_utc(date(2024, 3, 10), time(8, 0), SHANGHAI) == utc(2024, 3, 10, 0, 0)
    assert slot_utc(date(2024, 11, 3), time(8, 0), SHANGHAI) == utc(2024, 11, 3, 0, 0)
    # 00:00 Shanghai is 16:00 UTC on the previous UTC day.
    assert slot_utc(date(2024, 1, 2), time(0, 0), SHANGHAI) == utc(2024, 1, 1, 16, 0)


def test_new_york_spring_gap_fires_at_the_jump() -> None:
    # 2024-03-10: 02:00 EST jumps to 03:00 EDT at 07:00 UTC; 02:30 does not exist.
    slot = slot_utc(date(2024, 3, 10), time(2, 30), NEW_YORK)
    assert slot == utc(2024, 3, 10, 7, 0)
    assert slot.astimezone(NEW_YORK).time() == time(3, 0)
    # Just before the gap and just after it are ordinary times.
    assert slot_utc(date(2024, 3, 10), time(1, 59), NEW_YORK) == utc(2024, 3, 10, 6, 59)
    assert slot_utc(date(2024, 3, 10), time(3, 0), NEW_YORK) == utc(2024, 3, 10, 7, 0)
    assert slot_utc(date(2024, 3, 10), time(8, 0), NEW_YORK) == utc(2024, 3, 10, 12, 0)


def test_new_york_autumn_fold_uses_first_occurrence() -> None:
    # 2024-11-03: 01:00-02:00 happens twice; the first pass is EDT (UTC-4).
    assert slot_utc(date(2024, 11, 3), time(1, 30), NEW_YORK) == utc(2024, 11, 3, 5, 30)
    assert slot_utc(date(2024, 11, 3), time(8, 0), NEW_YORK) == utc(2024, 11, 3, 13, 0)


def test_berlin_spring_gap_and_autumn_fold() -> None:
    # 2024-03-31: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    assert slot_utc(date(2024, 3, 31), time(2, 15), BERLIN) == utc(2024, 3, 31, 1, 0)
    assert slot_utc(date(2024, 3, 31), time(8, 0), BERLIN) == utc(2024, 3, 31, 6, 0)
    # 2024-10-27: 02:00-03:00 happens twice; first pass is CEST (UTC+2).
    assert slot_utc(date(2024, 10, 27), time(2, 30), BERLIN) == utc(2024, 10, 27, 0, 30)
    assert slot_utc(date(2024, 10, 27), time(8, 0), BERLIN) == utc(2024, 10, 27, 7, 0)


def test_half_hour_gap() -> None:
    # Lord Howe Island springs forward by 30 minutes: 02:00 -> 02:30 at 15:30 UTC the day before.
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert slot_utc(date(2024, 10, 6), time(2, 10), lord_howe) == utc(2024, 10, 5, 15, 30)


@given(
    st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Sydney"]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_slot_is_on_time_or_at_the_end_of_a_gap(
    zone: str, day: date, hour: int, minute: int
) -> None:
    tz = ZoneInfo(zone)
    post_time = time(hour, minute)
    slot = slot_utc(day, post_time, tz)
    local = slot.astimezone(tz)
    assert slot.utcoffset() == timedelta(0)
    wall = datetime.combine(day, post_time)
    if local.replace(tzinfo=None) != wall:
        # Only allowed when the wall time does not exist: then it is the first instant after it,
        # the second before which still reads earlier than the wanted time.
        assert local.replace(tzinfo=None) > wall
        assert (slot - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) < wall
    else:
        # In a fold it must be the first occurrence: fold=0, and an hour earlier read otherwise.
        assert local.fold == 0
        assert (slot - timedelta(hours=1)).astimezone(tz).replace(tzinfo=None) != wall


# --- next_post_at -------------------------------------------------------------------------------


def test_next_post_at_today_before_slot() -> None:
    now = utc(2024, 1, 1, 23, 0)  # 07:00 Jan 2 in Shanghai
    assert next_post_at(time(8, 0), SHANGHAI, now, False) == utc(2024, 1, 2, 0, 0)


def test_next_post_at_exactly_at_slot_is_now() -> None:
    now = utc(2024, 1, 2, 0, 0)  # 08:00 Shanghai
    assert next_post_at(time(8, 0), SHANGHAI, now, False) == now


def test_next_post_at_tomorrow_when_passed_or_posted() -> None:
    now = utc(2024, 1, 2, 0, 1)  # 08:01 Shanghai, slot 08:00 passed
    assert next_post_at(time(8, 0), SHANGHAI, now, False) == utc(2024, 1, 3, 0, 0)
    early = utc(2024, 1, 1, 23, 0)  # 07:00 Shanghai, but already posted today
    assert next_post_at(time(8, 0), SHANGHAI, early, True) == utc(2024, 1, 3, 0, 0)


def test_next_post_at_midnight_edges() -> None:
    # One second before local midnight: the 00:00 slot is tomorrow's, one second away.
    now = utc(2024, 1, 1, 15, 59, 59)  # 23:59:59 Jan 1 Shanghai
    assert next_post_at(time(0, 0), SHANGHAI, now, False) == utc(2024, 1, 1, 16, 0)
    # At local midnight itself the 00:00 slot is today's and due.
    midnight = utc(2024, 1, 1, 16, 0)
    assert next_post_at(time(0, 0), SHANGHAI, midnight, False) == midnight
    assert is_due(time(0, 0), SHANGHAI, midnight, False)
    # A 23:59 slot right after midnight is almost a day away.
    assert next_post_at(time(23, 59), SHANGHAI, midnight, False) == utc(2024, 1, 2, 15, 59)


def test_next_post_at_across_spring_forward() -> None:
    # Saturday 2024-03-09 09:00 EST; the 08:00 slot on Sunday is EDT, i.e. 12:00 UTC not 13:00.
    now = utc(2024, 3, 9, 14, 0)
    assert next_post_at(time(8, 0), NEW_YORK, now, True) == utc(2024, 3, 10, 12, 0)
    # The gap slot on the change day.
    before = utc(2024, 3, 10, 6, 0)  # 01:00 EST
    assert next_post_at(time(2, 30), NEW_YORK, before, False) == utc(2024, 3, 10, 7, 0)


def test_next_post_at_across_fall_back() -> None:
    # Saturday 2024-10-26 in Berlin (CEST); Sunday's 08:00 is CET, i.e. 07:00 UTC.
    now = utc(2024, 10, 26, 12, 0)
    assert next_post_at(time(8, 0), BERLIN, now, True) == utc(2024, 10, 27, 7, 0)
    assert next_post_at(time(2, 30), BERLIN, now, True) == utc(2024, 10, 27, 0, 30)


@given(
    st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Shanghai"]),
    UTC_NOWS,
    st.integers(0, 23),
    st.integers(0, 59),
    st.booleans(),
)
def test_next_post_at_properties(
    zone: str, now: datetime, hour: int, minute: int, posted: bool
) -> None:
    tz = ZoneInfo(zone)
    nxt = next_post_at(time(hour, minute), tz, now, posted)
    assert nxt >= now
    assert nxt - now <= timedelta(hours=50)
    days_ahead = (local_date(nxt, tz) - local_date(now, tz)).days
    assert days_ahead in (0, 1)
    if posted:
        assert days_ahead == 1


# --- is_due -------------------------------------------------------------------------------------


def test_is_due_shanghai() -> None:
    eight = time(8, 0)
    assert not is_due(eight, SHANGHAI, utc(2024, 1, 1, 23, 59, 59), False)  # 07:59:59
    assert is_due(eight, SHANGHAI, utc(2024, 1, 2, 0, 0), False)  # 08:00
    assert not is_due(eight, SHANGHAI, utc(2024, 1, 2, 0, 0), True)  # already posted


def test_is_due_catches_up_same_day_only() -> None:
    eight = time(8, 0)
    # Bot was down from 07:00 to 22:00 Shanghai: still due at 22:00 the same day.
    assert is_due(eight, SHANGHAI, utc(2024, 1, 2, 14, 0), False)
    # At 23:59:59 too; but right after midnight the (missed) day is over and 08:00 is not reached.
    assert is_due(eight, SHANGHAI, utc(2024, 1, 2, 15, 59, 59), False)
    assert not is_due(eight, SHANGHAI, utc(2024, 1, 2, 16, 0), False)


def test_is_due_in_spring_gap() -> None:
    gap_time = time(2, 30)
    assert not is_due(gap_time, NEW_YORK, utc(2024, 3, 10, 6, 59, 59), False)  # 01:59:59 EST
    assert is_due(gap_time, NEW_YORK, utc(2024, 3, 10, 7, 0), False)  # 03:00 EDT
    assert not is_due(time(2, 15), BERLIN, utc(2024, 3, 31, 0, 59, 59), False)  # 01:59:59 CET
    assert is_due(time(2, 15), BERLIN, utc(2024, 3, 31, 1, 0), False)  # 03:00 CEST


def test_is_due_in_autumn_fold() -> None:
    t = time(1, 30)
    assert not is_due(t, NEW_YORK, utc(2024, 11, 3, 5, 29), False)  # 01:29 EDT (first pass)
    assert is_due(t, NEW_YORK, utc(2024, 11, 3, 5, 30), False)  # 01:30 EDT
    # Second pass through 01:10 (EST): the wall clock reads earlier than 01:30, but the slot
    # already happened, so an unposted chat is still due.
    assert is_due(t, NEW_YORK, utc(2024, 11, 3, 6, 10), False)
    assert not is_due(t, NEW_YORK, utc(2024, 11, 3, 6, 10), True)


@given(
    st.sampled_from(["America/New_York", "Europe/Berlin", "Asia/Shanghai"]),
    UTC_NOWS,
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_is_due_agrees_with_next_post_at(zone: str, now: datetime, hour: int, minute: int) -> None:
    tz = ZoneInfo(zone)
    post_time = time(hour, minute)
    due = is_due(post_time, tz, now, False)
    today_slot = slot_utc(local_date(now, tz), post_time, tz)
    assert due == (now >= today_slot)
    # Not due means the next slot is today's and still ahead.
    if not due:
        assert next_post_at(post_time, tz, now, False) == today_slot > now
