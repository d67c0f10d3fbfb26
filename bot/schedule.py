"""Pure time logic for the daily post: parsing a chat's post time and deciding when it is due.

No I/O and no clock of its own: every function takes ``now_utc`` so the scheduler and the tests
decide what "now" is. Times are compared as *instants* (aware UTC datetimes), never as local wall
clock readings, because wall clocks repeat (autumn fold) and skip (spring gap) around DST changes.

A chat's slot on a local day is the instant its ``post_time`` happens there that day:

* if the wall time happens once, that instant;
* in an autumn fold (it happens twice) the first occurrence, so the post does not wait an hour;
* in a spring-forward gap (it never happens) the first valid instant after it, i.e. the moment
  the clocks jump, so the day's post is not lost.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "InvalidPostTime",
    "format_post_time",
    "is_due",
    "local_date",
    "next_post_at",
    "parse_post_time",
    "slot_utc",
]

EXPECTED_FORM = "HH:MM, 24-hour, e.g. 08:00 or 21:30"
USER_MESSAGE = "时间格式不对，请用 HH:MM（24 小时制），例如 08:00 或 21:30。"

# ASCII digits only: after NFKC, \d would still accept e.g. Arabic-Indic digits.
_POST_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class InvalidPostTime(ValueError):
    """A post time the bot cannot accept.

    ``message`` is English (for logs), ``user_message`` is Chinese and safe to show the user as is.
    """

    def __init__(self, text: object) -> None:
        self.text = text
        self.message = f"invalid post time {text!r}: expected {EXPECTED_FORM}"
        self.user_message = USER_MESSAGE
        super().__init__(self.message)


def parse_post_time(text: str) -> time:
    """Parse a user-typed daily post time.

    Accepted: ``H:MM`` or ``HH:MM`` on a 24-hour clock, with an ASCII or full-width colon and
    ASCII or full-width digits (Chinese keyboards produce ``08：00``), surrounding spaces ignored.

    Rejected on purpose: bare digits such as ``0800`` or ``800`` (a number alone is too easy to
    mistype or to mean something else, and the error message shows the one accepted form),
    ``24:00``, seconds, and words such as ``8点``.
    """
    if not isinstance(text, str):
        raise InvalidPostTime(text)
    # NFKC maps the full-width colon (U+FF1A) and full-width digits to ASCII.
    match = _POST_TIME_RE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise InvalidPostTime(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidPostTime(text)
    return time(hour, minute)


def format_post_time(post_time: time) -> str:
    """The canonical ``HH:MM`` form, as stored and shown to users."""
    return f"{post_time.hour:02d}:{post_time.minute:02d}"


def _require_aware(now_utc: datetime) -> None:
    # A naive datetime would be silently read as local machine time: refuse it.
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {now_utc!r}")


def local_date(now_utc: datetime, tz: ZoneInfo) -> date:
    """The calendar date at ``now_utc`` in ``tz`` (the key of the once-a-day post log)."""
    _require_aware(now_utc)
    return now_utc.astimezone(tz).date()


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """Naive local wall-clock reading of an instant."""
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def slot_utc(day: date, post_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``post_time`` on local ``day`` in ``tz`` (see module doc for DST)."""
    wall = datetime.combine(day, post_time.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: first occurrence in a fold
    if _wall(first, tz) == wall:
        return first
    # ``wall`` is in a gap. fold=0 reads it with the offset before the jump, fold=1 with the one
    # after; the two instants bracket the transition. Find the first instant whose wall clock is
    # at or past ``wall``, to the second (zone transitions happen on whole seconds).
    other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo = int(min(first, other).timestamp())  # wall clock still before ``wall``
    hi = int(max(first, other).timestamp())  # wall clock already past ``wall``
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), tz) >= wall:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def next_post_at(post_time: time, tz: ZoneInfo, now_utc: datetime, posted_today: bool) -> datetime:
    """The next slot (aware UTC) for a chat posting daily at ``post_time`` in ``tz``.

    Today's slot if it is not earlier than ``now_utc`` and nothing was posted today, otherwise
    tomorrow's. A slot that already passed without a post is not returned here: ``is_due`` is
    what reports it (same-day catch-up).
    """
    today = local_date(now_utc, tz)
    if not posted_today:
        slot = slot_utc(today, post_time, tz)
        if slot >= now_utc:
            return slot
    return slot_utc(today + timedelta(days=1), post_time, tz)


def is_due(post_time: time, tz: ZoneInfo, now_utc: datetime, already_posted_today: bool) -> bool:
    """Whether a chat's post should go out now.

    Due once today's slot has been reached and nothing was posted on today's local date. After
    downtime the post still goes out later the same day; a day missed entirely is not caught up
    the next day, because "today" is always the local date at ``now_utc``.
    """
    _require_aware(now_utc)
    if already_posted_today:
        return False
    return now_utc >= slot_utc(local_date(now_utc, tz), post_time, tz)
