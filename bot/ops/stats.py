"""Usage figures as operators read them, the same for ``factbot stats`` and ``/stats``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.storage import DayCounts, Storage, Usage

POST_STATUSES_SHOWN = ("sent", "failed", "uncertain", "skipped")


def report(
    storage: Storage,
    *,
    days: int,
    timezone: str,
    names: Mapping[str, str],
    now: datetime | None = None,
) -> str:
    """The figures for the last ``days`` local days, today included, as text."""
    tz = ZoneInfo(timezone)
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tz)
    usage = storage.usage(since_day=first, since=since)
    return format_usage(usage, days=days, until=today.isoformat(), timezone=timezone, names=names)


def _day_line(counts: DayCounts) -> str:
    return (
        f"  {counts.day}  answered {counts.answer:>4}  declined {counts.fallback:>4}  "
        f"clarified {counts.clarify:>4}  small talk {counts.smalltalk:>4}"
    )


def format_usage(
    usage: Usage, *, days: int, until: str, timezone: str, names: Mapping[str, str]
) -> str:
    """Plain text, one fact per line. ``names`` maps intent ids to a readable question."""
    lines = [f"factbot stats: the last {days} day(s), {usage.since} to {until} ({timezone})"]
    total = DayCounts(
        "all",
        answer=sum(d.answer for d in usage.days),
        fallback=sum(d.fallback for d in usage.days),
        clarify=sum(d.clarify for d in usage.days),
        smalltalk=sum(d.smalltalk for d in usage.days),
    )
    lines.append(
        f"questions: {total.answer} answered, {total.fallback} declined, "
        f"{total.clarify} clarified, {total.smalltalk} small talk"
    )
    lines.extend(_day_line(d) for d in usage.days)
    if usage.top_intents:
        lines.append("most asked:")
        for intent, count in usage.top_intents:
            name = names.get(intent)
            label = f"{name} ({intent})" if name else intent
            lines.append(f"  {count:>4}  {label}")
    else:
        lines.append("most asked: nothing answered yet")
    lines.append(f"votes: {usage.votes_up} up, {usage.votes_down} down")
    lines.append(
        f"subscriptions: {usage.active_subscriptions} active, "
        f"{usage.inactive_subscriptions} inactive"
    )
    posts = ", ".join(f"{usage.posts.get(s, 0)} {s}" for s in POST_STATUSES_SHOWN)
    lines.append(f"daily posts: {posts}")
    return "\n".join(lines)


def intent_names(knowledge: object) -> dict[str, str]:
    """Each intent's first example question, to show beside its id."""
    return {
        intent.id: intent.examples[0]
        for intent in getattr(knowledge, "intents", ())
        if intent.examples
    }
