"""Tests for bot.storage against real SQLite files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.storage.schema as storage_module
from bot.storage import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SchemaTooNewError,
    Storage,
    UnknownChatError,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
GROUP = -1001234567890
FACTS = [f"fact-{i:02d}" for i in range(12)]
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A controllable clock: each call returns the current time; ``advance`` moves it."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path, clock: Clock) -> Storage:
    with Storage(tmp_path / "bot.db", now=clock) as store:
        yield store


def subscribe(store: Storage, chat_id: int = GROUP, post_time: str = "08:00") -> None:
    store.subscribe(chat_id, chat_type="supergroup", title="测试群", post_time=post_time)


def drain(store: Storage, chat_id: int, postable: list[str], n: int) -> list[str]:
    """Take ``n`` facts from the chat's rotation, consuming each."""
    out = []
    for _ in range(n):
        fact = store.next_fact(chat_id, postable)
        assert fact is not None
        store.mark_fact_posted(chat_id, fact)
        out.append(fact)
    return out


# --- opening, pragmas, schema versions ----------------------------------------------------------


def test_open_creates_parent_dirs_and_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.db"
    with Storage.open(path) as store:
        assert path.exists()
        assert store.schema_version == SCHEMA_VERSION >= 2
        conn = store._db
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"subscriptions", "rotation", "posts", "votes", "unanswered"} <= tables


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    with Storage(path) as store:
        subscribe(store)
    with Storage(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_subscription(GROUP) is not None


def test_close_is_idempotent_and_blocks_use(tmp_path: Path) -> None:
    store = Storage(tmp_path / "bot.db")
    store.close()
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.subscriptions()


def test_migrates_version_1_file_to_latest(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    # A file as the first release left it: only migration 1 applied, with data in it.
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    stamp = "2024-01-01T00:00:00.000000+00:00"
    conn.execute(
        "INSERT INTO subscriptions VALUES (?, 'group', 'old', '09:30', 1, NULL, ?, ?)",
        (GROUP, stamp, stamp),
    )
    conn.execute(
        "INSERT INTO posts (chat_id, local_date, fact_id, status, message_id, attempts,"
        " created_at, updated_at) VALUES (?, '2024-01-01', 'f1', 'sent', 42, 1, ?, ?)",
        (GROUP, stamp, stamp),
    )
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} >= {"posts"}
    assert "votes" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()

    with Storage(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        sub = store.get_subscription(GROUP)
        assert sub is not None and sub.post_time == "09:30" and sub.title == "old"
        [post] = store.posts()
        assert (post.fact_id, post.status, post.message_id) == ("f1", "sent", 42)
        # v2 tables work.
        store.record_vote(
            chat_id=GROUP, message_id=42, user_id=7, question=None, fact_id="f1", vote=1
        )
        store.record_unanswered(question="谁?", kind="fallback", chat_type="group")
        assert len(store.votes()) == 1 and len(store.unanswered()) == 1


def test_failed_migration_leaves_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.db"
    with Storage(path) as store:
        subscribe(store)
    broken = (
        "CREATE TABLE half_done (x INTEGER)",
        "INSERT INTO no_such_table VALUES (1)",
    )
    monkeypatch.setattr(storage_module, "MIGRATIONS", [*MIGRATIONS, broken])
    monkeypatch.setattr(storage_module, "SCHEMA_VERSION", len(MIGRATIONS) + 1)
    with pytest.raises(sqlite3.OperationalError):
        Storage(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in names
    assert conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0] == 1
    conn.close()


def test_too_new_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE from_the_future (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5:d}")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(SchemaTooNewError) as info:
        Storage(path)
    err = info.value
    message = str(err)
    assert "\n" not in message
    assert f"schema version {SCHEMA_VERSION + 5}" in message
    assert f"supports up to {SCHEMA_VERSION}" in message
    assert "upgrade factbot or point data_dir elsewhere" in message
    assert (err.file_version, err.supported) == (SCHEMA_VERSION + 5, SCHEMA_VERSION)
    assert path.read_bytes() == before  # not switched to WAL, not migrated
    assert not Path(f"{path}-wal").exists()


def test_naive_clock_is_refused(tmp_path: Path) -> None:
    with Storage(tmp_path / "bot.db", now=lambda: datetime(2024, 1, 1)) as store:
        with pytest.raises(ValueError, match="aware"):
            subscribe(store)
        assert store.subscriptions() == []


# --- subscriptions ------------------------------------------------------------------------------


def test_subscribe_creates_row_with_clock_time(db: Storage, clock: Clock) -> None:
    sub = db.subscribe(GROUP, chat_type="supergroup", title="测试群", post_time="08:00")
    assert sub.chat_id == GROUP
    assert (sub.chat_type, sub.title, sub.post_time) == ("supergroup", "测试群", "08:00")
    assert sub.active is True and sub.deactivated_reason is None
    assert sub.created_at == sub.updated_at == T0
    assert db.get_subscription(GROUP) == sub
    assert db.get_subscription(12345) is None


def test_subscribe_accepts_time_objects_and_validates(db: Storage) -> None:
    assert db.subscribe(5, chat_type="private", title=None, post_time=time(7, 5)).post_time == (
        "07:05"
    )
    with pytest.raises(ValueError, match="post_time"):
        db.subscribe(5, chat_type="private", title=None, post_time="8:00")
    with pytest.raises(ValueError, match="post_time"):
        db.subscribe(5, chat_type="private", title=None, post_time="24:00")
    with pytest.raises(ValueError, match="chat_type"):
        db.subscribe(5, chat_type="forum", title=None, post_time="08:00")
    assert db.get_subscription(5).post_time == "07:05"  # type: ignore[union-attr]


def test_unsubscribe_and_resubscribe_keep_history(db: Storage, clock: Clock) -> None:
    subscribe(db)
    drain(db, GROUP, FACTS, 2)
    post_id = db.begin_post(GROUP, "2024-05-01", db.next_fact(GROUP, FACTS) or "")
    assert post_id is not None
    db.finish_post(post_id, status="sent", message_id=1)

    clock.advance(hours=1)
    assert db.unsubscribe(GROUP) is True
    sub = db.get_subscription(GROUP)
    assert sub is not None
    assert (sub.active, sub.deactivated_reason, sub.updated_at) == (
        False,
        "unsubscribed",
        clock.now,
    )
    assert db.unsubscribe(GROUP) is False
    assert db.unsubscribe(999) is False
    assert db.subscriptions(active_only=True) == []

    clock.advance(hours=1)
    again = db.subscribe(GROUP, chat_type="supergroup", title="新名字", post_time="21:30")
    assert again.active is True and again.deactivated_reason is None
    assert (again.post_time, again.title) == ("21:30", "新名字")
    assert again.created_at == T0 and again.updated_at == clock.now
    rot = db.rotation(GROUP)
    assert rot is not None and len(rot.posted) == 3
    assert [p.status for p in db.posts(chat_id=GROUP)] == ["sent"]


def test_deactivate_and_listing(db: Storage) -> None:
    subscribe(db, GROUP)
    db.subscribe(42, chat_type="private", title=None, post_time="09:00")
    db.subscribe(-100777, chat_type="channel", title="频道", post_time="10:00")
    assert db.deactivate(42, "blocked by user") is True
    assert db.deactivate(42, "again") is False
    assert db.get_subscription(42).deactivated_reason == "blocked by user"  # type: ignore[union-attr]
    assert [s.chat_id for s in db.subscriptions()] == [GROUP, -100777, 42]
    assert [s.chat_id for s in db.subscriptions(active_only=True)] == [GROUP, -100777]


def test_migrate_chat_moves_everything(db: Storage, clock: Clock) -> None:
    old, new = -4001, -1004001
    subscribe(db, old, "07:30")
    drain(db, old, FACTS, 3)
    fact = db.next_fact(old, FACTS)
    assert fact is not None
    post_id = db.begin_post(old, "2024-05-01", fact)
    assert post_id is not None
    db.finish_post(post_id, status="sent", message_id=9)
    rot_before = db.rotation(old)

    clock.advance(minutes=5)
    assert db.migrate_chat(old, new) is True
    assert db.get_subscription(old) is None
    assert db.rotation(old) is None
    assert db.posts(chat_id=old) == []
    sub = db.get_subscription(new)
    assert sub is not None and sub.post_time == "07:30" and sub.created_at == T0
    [post] = db.posts(chat_id=new)
    assert (post.id, post.fact_id, post.status) == (post_id, fact, "sent")
    rot = db.rotation(new)
    assert rot is not None and rot_before is not None
    assert (rot.cycle, rot.queue, rot.posted) == (
        rot_before.cycle,
        rot_before.queue,
        rot_before.posted,
    )
    # Still at most one post that day under the new id.
    assert db.begin_post(new, "2024-05-01", "whatever") is None
    assert db.migrate_chat(old, new) is False
    assert db.migrate_chat(new, new) is False
    assert db.migrate_chat(123, 456) is False


def test_migrate_chat_merges_into_existing_subscription(db: Storage, clock: Clock) -> None:
    old, new = -4002, -1004002
    subscribe(db, old, "07:30")
    drain(db, old, FACTS, 2)
    day1 = db.begin_post(old, "2024-05-01", db.next_fact(old, FACTS) or "")
    db.finish_post(day1 or 0, status="sent", message_id=1)
    day2_old = db.begin_post(old, "2024-05-02", db.next_fact(old, FACTS) or "")
    db.finish_post(day2_old or 0, status="failed", error="boom")

    clock.advance(minutes=1)  # the new id's settings are newer
    db.subscribe(new, chat_type="supergroup", title="升级后", post_time="20:00")
    new_fact = db.next_fact(new, FACTS) or ""
    old_posted = set(db.rotation(old).posted)  # type: ignore[union-attr]
    day2_new = db.begin_post(new, "2024-05-02", new_fact)
    db.finish_post(day2_new or 0, status="sent", message_id=2)
    day3_new = db.begin_post(new, "2024-05-03", db.next_fact(new, FACTS) or "")
    db.finish_post(day3_new or 0, status="failed")

    assert db.migrate_chat(old, new) is True
    sub = db.get_subscription(new)
    assert sub is not None
    assert (sub.post_time, sub.title, sub.created_at) == ("20:00", "升级后", T0)
    by_day = {p.local_date: p for p in db.posts(chat_id=new)}
    assert sorted(by_day) == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert by_day["2024-05-01"].id == day1
    assert by_day["2024-05-02"].id == day2_new  # sent beats failed
    assert by_day["2024-05-02"].status == "sent"
    rot = db.rotation(new)
    assert rot is not None
    # Everything shown under either id counts as posted; nothing posted is still queued.
    assert old_posted | {new_fact} <= set(rot.posted)
    assert not set(rot.queue) & set(rot.posted)


def test_migrate_chat_keeps_newer_old_settings(db: Storage, clock: Clock) -> None:
    old, new = -4003, -1004003
    db.subscribe(new, chat_type="supergroup", title="new", post_time="20:00")
    clock.advance(minutes=1)
    db.subscribe(old, chat_type="group", title="old", post_time="06:00")
    assert db.migrate_chat(old, new) is True
    sub = db.get_subscription(new)
    assert sub is not None and (sub.post_time, sub.title) == ("06:00", "old")


def test_migrate_chat_is_atomic(db: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = -4004, -1004004
    subscribe(db, old)
    drain(db, old, FACTS, 1)
    db.begin_post(old, "2024-05-01", db.next_fact(old, FACTS) or "")

    def explode(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Storage, "_move_rotation", explode)
    with pytest.raises(RuntimeError):
        db.migrate_chat(old, new)
    assert db.get_subscription(new) is None
    assert db.get_subscription(old) is not None
    assert len(db.posts(chat_id=old)) == 1
    assert db.rotation(old) is not None


# --- rotation -----------------------------------------------------------------------------------


def test_next_fact_does_not_consume(db: Storage) -> None:
    first = db.next_fact(GROUP, FACTS)
    assert first in FACTS
    assert db.next_fact(GROUP, FACTS) == first
    db.mark_fact_posted(GROUP, first or "")
    assert db.next_fact(GROUP, FACTS) != first
    assert db.next_fact(GROUP, []) is None


def test_rotation_full_cycle_without_repeats(db: Storage) -> None:
    cycle1 = drain(db, GROUP, FACTS, len(FACTS))
    assert sorted(cycle1) == sorted(FACTS)
    assert db.rotation(GROUP).cycle == 1  # type: ignore[union-attr]
    cycle2 = drain(db, GROUP, FACTS, len(FACTS))
    assert sorted(cycle2) == sorted(FACTS)
    assert db.rotation(GROUP).cycle == 2  # type: ignore[union-attr]
    assert cycle2 != cycle1  # a new shuffle per cycle (fixed seeds: not flaky)
    assert cycle2[0] != cycle1[-1]


def test_rotation_is_reproducible_and_per_chat(tmp_path: Path) -> None:
    with Storage(tmp_path / "a.db") as a, Storage(tmp_path / "b.db") as b:
        seq_a = drain(a, GROUP, FACTS, 30)
        seq_b = drain(b, GROUP, list(reversed(FACTS)), 30)  # input order does not matter
        other = drain(a, 42, FACTS, 30)
    assert seq_a == seq_b
    assert other != seq_a


def test_rotation_survives_reopen(tmp_path: Path) -> None:
    with Storage(tmp_path / "ref.db") as ref:
        expected = drain(ref, GROUP, FACTS, 20)
    path = tmp_path / "bot.db"
    got: list[str] = []
    for chunk in (3, 1, 9, 7):
        with Storage(path) as store:
            got += drain(store, GROUP, FACTS, chunk)
    assert got == expected


def test_new_fact_joins_current_cycle(db: Storage) -> None:
    base = FACTS[:6]
    seen = drain(db, GROUP, base, 2)
    grown = [*base, "fresh"]
    rest = drain(db, GROUP, grown, 5)
    assert db.rotation(GROUP).cycle == 1  # type: ignore[union-attr]
    assert sorted(seen + rest) == sorted(grown)
    # Now the cycle is complete: the next call starts cycle 2.
    db.next_fact(GROUP, grown)
    assert db.rotation(GROUP).cycle == 2  # type: ignore[union-attr]


def test_removed_fact_is_skipped_and_can_return(db: Storage) -> None:
    upcoming = db.rotation(GROUP)
    assert upcoming is None
    head = db.next_fact(GROUP, FACTS)
    assert head is not None
    without = [f for f in FACTS if f != head]
    assert db.next_fact(GROUP, without) != head
    got = drain(db, GROUP, without, 3)
    assert head not in got
    # It comes back in the same cycle, at its old place (the head of the queue).
    assert db.next_fact(GROUP, FACTS) == head
    assert db.rotation(GROUP).cycle == 1  # type: ignore[union-attr]


def test_new_cycle_never_starts_with_previous_last() -> None:
    # Two facts make the rule bite often: without it, half of the chats would repeat.
    with Storage(":memory:") as store:
        for chat_id in range(40):
            seq = drain(store, chat_id, ["a", "b"], 6)
            assert all(x != y for x, y in pairwise(seq)), seq


def test_single_fact_repeats_once_per_cycle(db: Storage) -> None:
    assert drain(db, GROUP, ["only"], 3) == ["only"] * 3
    assert db.rotation(GROUP).cycle == 3  # type: ignore[union-attr]


postable_sets = st.lists(st.frozensets(st.sampled_from(FACTS[:7])), min_size=1, max_size=40)


@settings(max_examples=120, deadline=None)
@given(postable_sets, st.integers(-(10**13), 10**13))
def test_rotation_property(steps: list[frozenset[str]], chat_id: int) -> None:
    """Over any sequence of postable sets: every answer is postable, no fact repeats within a
    cycle, a cycle only ends once every currently postable fact was shown in it, and a stable
    postable set is covered exactly once per full cycle."""
    with Storage(":memory:") as store:
        cycle_facts: list[str] = []
        cycle_no = 1
        previous: str | None = None
        for postable in steps:
            fact = store.next_fact(chat_id, sorted(postable))
            if not postable:
                assert fact is None
                continue
            assert fact in postable
            rot = store.rotation(chat_id)
            assert rot is not None
            if rot.cycle != cycle_no:
                assert rot.cycle == cycle_no + 1
                # The cycle ended only because everything postable had been shown in it.
                assert set(postable) <= set(cycle_facts)
                if len(postable) > 1:
                    assert fact != previous
                cycle_facts, cycle_no = [], rot.cycle
            assert fact not in cycle_facts
            store.mark_fact_posted(chat_id, fact)
            cycle_facts.append(fact)
            previous = fact


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(FACTS), min_size=1), st.integers(-(10**13), 10**13))
def test_stable_set_is_covered_once_per_cycle(facts: set[str], chat_id: int) -> None:
    n = len(facts)
    with Storage(":memory:") as store:
        seq = drain(store, chat_id, sorted(facts), 3 * n)
    for k in range(3):
        assert sorted(seq[k * n : (k + 1) * n]) == sorted(facts)


# --- daily post log -----------------------------------------------------------------------------


def test_begin_post_records_intent_and_consumes(db: Storage, clock: Clock) -> None:
    subscribe(db)
    fact = db.next_fact(GROUP, FACTS)
    assert fact is not None
    post_id = db.begin_post(GROUP, "2024-05-01", fact)
    assert post_id is not None
    post = db.post_on(GROUP, "2024-05-01")
    assert post is not None
    assert (post.id, post.fact_id, post.status, post.attempts) == (post_id, fact, "pending", 1)
    assert (post.message_id, post.error, post.created_at) == (None, None, T0)
    assert db.rotation(GROUP).posted == (fact,)  # type: ignore[union-attr]
    assert db.next_fact(GROUP, FACTS) != fact

    clock.advance(seconds=2)
    done = db.finish_post(post_id, status="sent", message_id=777)
    assert (done.status, done.message_id, done.updated_at) == ("sent", 777, clock.now)
    assert done.created_at == T0


@pytest.mark.parametrize("status", ["sent", "uncertain", "skipped"])
def test_at_most_one_post_per_day(db: Storage, status: str) -> None:
    subscribe(db)
    post_id = db.begin_post(GROUP, "2024-05-01", "f1")
    assert post_id is not None
    assert db.begin_post(GROUP, "2024-05-01", "f2") is None  # while pending
    db.finish_post(post_id, status=status)
    assert db.begin_post(GROUP, date(2024, 5, 1), "f2") is None
    assert [p.fact_id for p in db.posts(chat_id=GROUP)] == ["f1"]
    # f2 was not consumed by the refused attempts.
    assert "f2" not in db.rotation(GROUP).posted  # type: ignore[union-attr]
    # Another day is fine.
    assert db.begin_post(GROUP, "2024-05-02", "f2") is not None


def test_unique_constraint_is_in_the_schema(db: Storage) -> None:
    subscribe(db)
    db.begin_post(GROUP, "2024-05-01", "f1")
    with pytest.raises(sqlite3.IntegrityError):
        db._db.execute(
            "INSERT INTO posts (chat_id, local_date, fact_id, status, created_at, updated_at)"
            " VALUES (?, '2024-05-01', 'f2', 'pending', 'x', 'x')",
            (GROUP,),
        )


def test_failed_post_is_retried_in_same_row(db: Storage, clock: Clock) -> None:
    subscribe(db)
    first = db.next_fact(GROUP, FACTS) or ""
    post_id = db.begin_post(GROUP, "2024-05-01", first)
    assert post_id is not None
    clock.advance(minutes=1)
    failed = db.finish_post(post_id, status="failed", error="Forbidden: bot was kicked")
    assert (failed.status, failed.error) == ("failed", "Forbidden: bot was kicked")
    # The undelivered fact goes back to the head of the rotation.
    assert db.rotation(GROUP).posted == ()  # type: ignore[union-attr]
    assert db.next_fact(GROUP, FACTS) == first

    clock.advance(minutes=1)
    retry = db.begin_post(GROUP, "2024-05-01", first)
    assert retry == post_id
    post = db.post_on(GROUP, "2024-05-01")
    assert post is not None
    assert (post.status, post.attempts, post.error) == ("pending", 2, None)
    assert (post.created_at, post.updated_at) == (T0, clock.now)
    assert db.rotation(GROUP).posted == (first,)  # type: ignore[union-attr]
    assert len(db.posts()) == 1


def test_begin_post_needs_a_subscription(db: Storage) -> None:
    with pytest.raises(UnknownChatError):
        db.begin_post(404, "2024-05-01", "f1")
    assert db.posts() == []
    assert db.rotation(404) is None


def test_post_validation(db: Storage) -> None:
    subscribe(db)
    for bad in ("2024-5-1", "20240501", "2024-02-30", ""):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            db.begin_post(GROUP, bad, "f1")
    post_id = db.begin_post(GROUP, "2024-05-01", "f1")
    assert post_id is not None
    with pytest.raises(ValueError, match="status"):
        db.finish_post(post_id, status="pending")
    with pytest.raises(ValueError, match="status"):
        db.finish_post(post_id, status="delivered")
    with pytest.raises(LookupError):
        db.finish_post(post_id + 100, status="sent")


def test_posts_filters(db: Storage) -> None:
    subscribe(db, GROUP)
    subscribe(db, 42)
    for chat_id in (GROUP, 42):
        for day in ("2024-05-02", "2024-05-01"):
            db.begin_post(chat_id, day, f"{chat_id}-{day}")
    assert [(p.local_date, p.chat_id) for p in db.posts()] == [
        ("2024-05-01", GROUP),
        ("2024-05-01", 42),
        ("2024-05-02", GROUP),
        ("2024-05-02", 42),
    ]
    assert [p.local_date for p in db.posts(chat_id=42)] == ["2024-05-01", "2024-05-02"]
    assert [p.chat_id for p in db.posts(local_date="2024-05-02")] == [GROUP, 42]
    [one] = db.posts(chat_id=42, local_date=date(2024, 5, 1))
    assert one.fact_id == "42-2024-05-01"
    assert db.post_on(42, "2024-05-03") is None


def test_recover_interrupted_marks_pending_uncertain(db: Storage, clock: Clock) -> None:
    subscribe(db, GROUP)
    subscribe(db, 42)
    sent = db.begin_post(42, "2024-05-01", "f1")
    db.finish_post(sent or 0, status="sent", message_id=5)
    pending = db.begin_post(GROUP, "2024-05-01", "f2")
    clock.advance(minutes=3)

    recovered = db.recover_interrupted()
    assert [(p.id, p.status, p.updated_at) for p in recovered] == [
        (pending, "uncertain", clock.now)
    ]
    assert recovered[0].error and "interrupted" in recovered[0].error
    assert db.post_on(42, "2024-05-01").status == "sent"  # type: ignore[union-attr]
    assert db.begin_post(GROUP, "2024-05-01", "f3") is None  # never sent again that day
    assert db.recover_interrupted() == []
    # The uncertain fact stays consumed (it may have been seen).
    assert "f2" in db.rotation(GROUP).posted  # type: ignore[union-attr]


CRASH_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from bot.storage import Storage

    store = Storage(sys.argv[1])
    store.subscribe(-1001234567890, chat_type="supergroup", title="群", post_time="08:00")
    store.subscribe(42, chat_type="private", title=None, post_time="09:15")
    fact = store.next_fact(-1001234567890, ["a", "b", "c"])
    post_id = store.begin_post(-1001234567890, "2024-05-01", fact)
    print(post_id, fact, flush=True)
    time.sleep(60)  # "sending": killed here
    """
)


def test_pending_post_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "crash" / "bot.db"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH_SCRIPT, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        post_id, fact = line.split()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    with Storage(path) as store:
        assert {s.chat_id for s in store.subscriptions(active_only=True)} == {GROUP, 42}
        post = store.post_on(GROUP, "2024-05-01")
        assert post is not None
        assert (post.id, post.fact_id, post.status) == (int(post_id), fact, "pending")
        assert store.rotation(GROUP).posted == (fact,)  # type: ignore[union-attr]
        [recovered] = store.recover_interrupted()
        assert recovered.id == int(post_id) and recovered.status == "uncertain"
        assert store.begin_post(GROUP, "2024-05-01", "b") is None


# --- feedback and curation ----------------------------------------------------------------------


def test_votes_one_per_user_per_message(db: Storage, clock: Clock) -> None:
    first = db.record_vote(
        chat_id=GROUP, message_id=10, user_id=1, question="谁赢了?", fact_id="f1", vote=1
    )
    assert (first.vote, first.created_at, first.updated_at) == (1, T0, T0)
    clock.advance(seconds=30)
    changed = db.record_vote(
        chat_id=GROUP, message_id=10, user_id=1, question="谁赢了?", fact_id="f1", vote=-1
    )
    assert changed.id == first.id
    assert (changed.vote, changed.created_at, changed.updated_at) == (-1, T0, clock.now)
    db.record_vote(chat_id=GROUP, message_id=10, user_id=2, question=None, fact_id="f1", vote=1)
    db.record_vote(chat_id=GROUP, message_id=10, user_id=3, question=None, fact_id="f1", vote=1)
    db.record_vote(chat_id=GROUP, message_id=11, user_id=1, question=None, fact_id="f2", vote=1)
    db.record_vote(chat_id=7, message_id=10, user_id=1, question=None, fact_id=None, vote=-1)

    assert db.vote_counts(GROUP, 10) == (2, 1)
    assert db.vote_counts(GROUP, 99) == (0, 0)
    assert len(db.votes()) == 5
    assert [v.user_id for v in db.votes(chat_id=GROUP, message_id=10)] == [1, 2, 3]
    assert [v.message_id for v in db.votes(fact_id="f2")] == [11]
    assert [v.vote for v in db.votes(chat_id=7)] == [-1]


@pytest.mark.parametrize("vote", [0, 2, -2, True])
def test_invalid_vote(db: Storage, vote: int) -> None:
    with pytest.raises(ValueError, match="vote"):
        db.record_vote(chat_id=1, message_id=1, user_id=1, question=None, fact_id=None, vote=vote)
    assert db.votes() == []


def test_unanswered_newest_first(db: Storage, clock: Clock) -> None:
    for i, kind in enumerate(["fallback", "clarify", "fallback"]):
        db.record_unanswered(question=f"问题{i}", kind=kind, chat_type="group")
        clock.advance(seconds=1)
    db.record_unanswered(question="同一时刻", kind="clarify", chat_type=None)
    rows = db.unanswered()
    assert [r.question for r in rows] == ["同一时刻", "问题2", "问题1", "问题0"]
    assert [r.kind for r in rows] == ["clarify", "fallback", "clarify", "fallback"]
    assert rows[-1].created_at == T0
    assert [r.question for r in db.unanswered(limit=2)] == ["同一时刻", "问题2"]
    with pytest.raises(ValueError, match="kind"):
        db.record_unanswered(question="x", kind="other", chat_type=None)
