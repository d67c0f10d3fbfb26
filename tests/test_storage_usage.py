"""Question counts, retention, forgetting a user (their unanswered questions too, found by a
keyed hash), read-only opening and the v2 -> v3 and v3 -> v4 migrations, on real SQLite
files."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import MIGRATIONS, SCHEMA_VERSION, Purged, Storage

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def test_usage_counts_questions_votes_subscriptions_and_posts(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3", now=lambda: T0) as db:
        for day, kind, intent in [
            ("2024-04-30", "answer", "a"),
            ("2024-05-01", "answer", "a"),
            ("2024-05-01", "answer", "a"),
            ("2024-05-01", "answer", "b"),
            ("2024-05-01", "fallback", None),
            ("2024-05-01", "clarify", None),
            ("2024-04-01", "answer", "old"),
        ]:
            db.count_question(day=day, kind=kind, intent=intent)
        db.record_vote(chat_id=1, message_id=1, user_id=1, question="q", fact_id="f", vote=1)
        db.record_vote(chat_id=1, message_id=2, user_id=2, question="q", fact_id="f", vote=-1)
        db.subscribe(-100, chat_type="channel", title="c", post_time="08:00")
        db.subscribe(5, chat_type="private", title=None, post_time="08:00")
        db.unsubscribe(5)
        post = db.begin_post(-100, "2024-05-01", "f")
        assert post is not None
        db.finish_post(post, status="sent", message_id=9)
        usage = db.usage(since_day="2024-04-30", since=T0 - timedelta(days=1))
    assert [(d.day, d.answer, d.fallback, d.clarify) for d in usage.days] == [
        ("2024-04-30", 1, 0, 0),
        ("2024-05-01", 3, 1, 1),
    ]
    assert usage.top_intents == (("a", 3), ("b", 1))
    assert (usage.votes_up, usage.votes_down) == (1, 1)
    assert (usage.active_subscriptions, usage.inactive_subscriptions) == (1, 1)
    assert usage.posts == {"sent": 1}


def test_purge_deletes_only_what_is_older_than_the_cutoff(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with Storage(path, now=lambda: T0 - timedelta(days=100)) as old:
        old.record_vote(chat_id=1, message_id=1, user_id=1, question="q", fact_id="f", vote=1)
        old.record_unanswered(question="旧问题", kind="fallback", chat_type="private")
    with Storage(path, now=lambda: T0) as db:
        db.record_vote(chat_id=1, message_id=2, user_id=1, question="q", fact_id="f", vote=1)
        db.record_unanswered(question="新问题", kind="clarify", chat_type="group")
        db.count_question(day="2024-01-01", kind="answer", intent="a")
        assert db.purge_before(T0 - timedelta(days=90)) == Purged(1, 1, 0)
        assert [v.message_id for v in db.votes()] == [2]
        assert [q.question for q in db.unanswered()] == ["新问题"]
        # Counts carry nothing personal: they stay.
        assert db.usage(since_day="2024-01-01", since=T0).top_intents == (("a", 1),)


def test_purge_deletes_post_log_rows_before_the_day_but_never_a_pending_one(
    tmp_path: Path,
) -> None:
    with Storage(tmp_path / "db.sqlite3", now=lambda: T0) as db:
        db.subscribe(-100, chat_type="supergroup", title="g", post_time="08:00")
        for day, status in [
            ("2024-01-30", "sent"),
            ("2024-01-31", "failed"),
            ("2024-02-01", "pending"),  # a dead process's send: the next start needs it
            ("2024-02-02", "sent"),
            ("2024-05-01", "sent"),
        ]:
            post = db.begin_post(-100, day, "f")
            assert post is not None
            if status != "pending":
                db.finish_post(post, status=status)
        assert db.purge_before(T0, posts_before="2024-02-02") == Purged(0, 0, 2)
        assert [p.local_date for p in db.posts()] == ["2024-02-01", "2024-02-02", "2024-05-01"]
        # Without a day, the post log is left alone.
        assert db.purge_before(T0).posts == 0
        assert len(db.posts()) == 3


def test_forget_user_deletes_their_votes_and_private_chat(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3", now=lambda: T0) as db:
        db.record_vote(chat_id=-100, message_id=1, user_id=7, question="q", fact_id="f", vote=1)
        db.record_vote(chat_id=-100, message_id=1, user_id=8, question="q", fact_id="f", vote=1)
        db.subscribe(7, chat_type="private", title="Alice", post_time="08:00")
        db.subscribe(-100, chat_type="supergroup", title="g", post_time="08:00")
        post = db.begin_post(7, "2024-05-01", "f")
        assert post is not None
        gone = db.forget_user(7)
        assert (gone.votes, gone.subscription, gone.posts, gone.rotation) == (1, True, 1, True)
        assert [v.user_id for v in db.votes()] == [8]
        assert [s.chat_id for s in db.subscriptions()] == [-100]
        assert db.rotation(7) is None
        assert not db.forget_user(7).anything


def test_forget_user_deletes_the_questions_they_asked_and_nobody_elses(tmp_path: Path) -> None:
    with Storage(tmp_path / "db.sqlite3", now=lambda: T0) as db:
        db.record_unanswered(question="七问私聊", kind="fallback", chat_type="private", user_id=7)
        db.record_unanswered(question="七问群里", kind="clarify", chat_type="group", user_id=7)
        db.record_unanswered(question="八问", kind="fallback", chat_type="group", user_id=8)
        db.record_unanswered(question="匿名", kind="fallback", chat_type="group")
        gone = db.forget_user(7)
        assert gone.questions == 2 and gone.anything
        assert sorted(q.question for q in db.unanswered()) == ["八问", "匿名"]
        assert db.forget_user(7).questions == 0
    # The table alone names nobody: no user id in any column, nor its plain hash.
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    rows = conn.execute("SELECT * FROM unanswered").fetchall()
    columns = [d[0] for d in conn.execute("SELECT * FROM unanswered").description]
    conn.close()
    assert columns == ["id", "question", "kind", "chat_type", "created_at", "asker"]
    [eight] = [row for row in rows if row[1] == "八问"]
    assert 8 not in eight and "8" not in eight
    assert len(eight[5]) == 16 and eight[5] != hashlib.sha256(b"8").digest()[:16]


def test_each_file_has_its_own_key(tmp_path: Path) -> None:
    askers = []
    for name in ("a.sqlite3", "b.sqlite3"):
        with Storage(tmp_path / name) as db:
            db.record_unanswered(question="q", kind="fallback", chat_type="private", user_id=8)
        conn = sqlite3.connect(tmp_path / name)
        askers.append(conn.execute("SELECT asker FROM unanswered").fetchone()[0])
        conn.close()
    assert askers[0] != askers[1]


def test_a_v3_files_questions_have_no_asker_and_go_by_retention_only(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    for statement in [s for migration in MIGRATIONS[:3] for s in migration]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO unanswered (question, kind, chat_type, created_at)"
        " VALUES ('旧问题', 'fallback', 'private', ?)",
        (T0.isoformat(timespec="microseconds"),),
    )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Storage(path, now=lambda: T0 + timedelta(days=1)) as db:
        assert db.schema_version == SCHEMA_VERSION == 4
        assert [q.question for q in db.unanswered()] == ["旧问题"]
        db.record_unanswered(question="新问题", kind="fallback", chat_type="private", user_id=7)
        assert db.forget_user(7).questions == 1
        assert [q.question for q in db.unanswered()] == ["旧问题"]  # nobody's: not reached
        assert db.purge_before(T0 + timedelta(seconds=1)).questions == 1
        assert db.unanswered() == []


def test_readonly_open_never_creates_or_changes_a_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "db.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        Storage(path, readonly=True)
    assert not path.parent.exists()
    with Storage(tmp_path / "db.sqlite3") as db:
        db.subscribe(1, chat_type="private", title=None, post_time="08:00")
    with Storage(tmp_path / "db.sqlite3", readonly=True) as ro:
        assert [s.chat_id for s in ro.subscriptions()] == [1]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.subscribe(2, chat_type="private", title=None, post_time="08:00")


def test_a_v2_file_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    for statement in [s for migration in MIGRATIONS[:2] for s in migration]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO votes (chat_id, message_id, user_id, question, fact_id, vote, created_at,"
        " updated_at) VALUES (1, 1, 7, 'q', 'f', 1, ?, ?)",
        (T0.isoformat(), T0.isoformat()),
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Storage(path) as db:
        assert db.schema_version == SCHEMA_VERSION == 4
        assert [v.user_id for v in db.votes()] == [7]
        db.count_question(day="2024-05-01", kind="smalltalk", intent=None)
        assert db.usage(since_day="2024-05-01", since=T0).days[0].smalltalk == 1
