"""The connection, its transactions and the forward migrations on open."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.storage import schema
from bot.storage.dispatch import OffLoop
from bot.storage.schema import SchemaTooNewError, _utc_now


class StorageBase:
    """The SQLite file, opened and migrated; the parts of ``Storage`` build on ``_tx``."""

    def __init__(self, path: str | Path, *, now: Callable[[], datetime] = _utc_now) -> None:
        self.path = str(path)
        self._now = now
        self._lock = threading.RLock()
        self.aio = OffLoop(self)  # the same calls for async code, off the event loop
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per method.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=10.0, isolation_level=None, check_same_thread=False
        )
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    @classmethod
    def open(cls, path: str | Path, *, now: Callable[[], datetime] = _utc_now) -> Self:
        return cls(path, now=now)

    # --- lifecycle -----------------------------------------------------------------------------

    def _setup(self) -> None:
        conn = self._db
        conn.row_factory = sqlite3.Row
        # Check before changing anything: a newer file must be left exactly as it is.
        version = self._user_version()
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNewError(self.path, version, schema.SCHEMA_VERSION)
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL, not NORMAL: in WAL mode NORMAL already survives a SIGKILL of the process, but a
        # power loss or OS crash may roll back the last commits. The "pending" post row is what
        # stops a second send after a crash, so it must be on disk before the message goes out.
        # The cost is one fsync per commit, and this bot commits a handful of rows a day.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _user_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        while True:
            with self._tx() as conn:
                # Re-read inside the write lock: another process may have migrated meanwhile.
                version = self._user_version()
                if version > schema.SCHEMA_VERSION:
                    raise SchemaTooNewError(self.path, version, schema.SCHEMA_VERSION)
                if version == schema.SCHEMA_VERSION:
                    return
                for statement in schema.MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1:d}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._user_version()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("Storage is closed")
        return self._conn

    def close(self) -> None:
        self.aio.close()  # first, and not under the lock: queued calls need it to finish
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self, *, write: bool = True, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction. `durable=False` commits without waiting for the disk (WAL with
        synchronous=NORMAL still survives a killed process): for feedback and curation notes,
        written on the bot's hot path, where an fsync per question would stall every chat."""
        with self._lock:
            conn = self._db
            if not durable:
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # also when COMMIT itself failed
                    conn.execute("ROLLBACK")
                raise
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous = FULL")

    def _stamp(self) -> str:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the clock must return aware datetimes, got {now!r}")
        return now.astimezone(UTC).isoformat(timespec="microseconds")

