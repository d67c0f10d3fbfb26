"""The retention purge on a real SQLite file: what is older than ``retention_days`` goes, the
rest stays, and the post log keeps the days the broadcast still reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.ops import privacy
from bot.storage import Purged, Storage

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 5, 1, 0, 30, tzinfo=UTC)  # 08:30 on 1 May in Shanghai
GROUP = -1001000000001


def test_purge_deletes_votes_questions_and_posts_older_than_the_retention(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    for age in (91, 89):
        with Storage(path, now=lambda age=age: NOW - timedelta(days=age)) as db:
            db.record_vote(chat_id=GROUP, message_id=age, user_id=7, question="q", fact_id="f",
                           vote=1)
            db.record_unanswered(question=f"{age} 天前的问题", kind="fallback", chat_type="group")
    with Storage(path, now=lambda: NOW) as db:
        db.subscribe(GROUP, chat_type="supergroup", title="g", post_time="08:00")
        # 90 days before 08:30 on 1 May in Shanghai is 1 February: that day's row stays.
        for day in ("2024-01-30", "2024-01-31", "2024-02-01", "2024-04-30", "2024-05-01"):
            post = db.begin_post(GROUP, day, "f")
            assert post is not None
            db.finish_post(post, status="sent", message_id=1)
        assert privacy.purge(db, 90, NOW, tz=SHANGHAI) == Purged(votes=1, questions=1, posts=2)
        assert [v.message_id for v in db.votes()] == [89]
        assert [q.question for q in db.unanswered()] == ["89 天前的问题"]
        assert [p.local_date for p in db.posts()] == ["2024-02-01", "2024-04-30", "2024-05-01"]
        assert privacy.purge(db, 90, NOW, tz=SHANGHAI) == Purged(0, 0, 0)  # nothing twice


def test_the_post_log_keeps_today_and_yesterday_whatever_the_retention() -> None:
    assert privacy.posts_cutoff(NOW, 90, SHANGHAI) == date(2024, 2, 1)
    assert privacy.posts_cutoff(NOW, 1, SHANGHAI) == date(2024, 4, 30)
    assert privacy.posts_cutoff(NOW, 0, SHANGHAI) == date(2024, 4, 30)
    # The days are the configured timezone's: 00:30 UTC is still 30 April in New York.
    assert privacy.posts_cutoff(NOW, 0, ZoneInfo("America/New_York")) == date(2024, 4, 29)
