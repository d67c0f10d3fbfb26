"""The connection, its transactions and the forward migrations on open."""

from __future__ import annotations

import errno
import os
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

    def __init__(
        self,
        path: str | Path,
        *,
        now: Callable[[], datetime] = _utc_now,
        readonly: bool = False,
    ) -> None:
        """``readonly`` opens an existing file without creating, migrating or changing it
        (``sqlite3.OperationalError`` if there is none): for listings and health checks."""
        self.path = str(path)
        self.readonly = readonly
        self._now = now
        self._lock = threading.RLock()
        self.aio = OffLoop(self)  # the same calls for async code, off the event loop
        if readonly:
            uri = Path(self.path).absolute().as_uri() + "?mode=ro"
            try:
                self._connect(uri, uri=True)
            except sqlite3.OperationalError:
                if not self._unwritable_folder():
                    raise
                # A WAL file in a read-only folder cannot get its shared-memory index: nobody
                # can write there either, so it is read as an immutable file.
                self._connect(uri + "&immutable=1", uri=True)
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._connect(self.path)

    def _connect(self, target: str, *, uri: bool = False) -> None:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per method.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            target, timeout=10.0, isolation_level=None, check_same_thread=False, uri=uri
        )
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    def _unwritable_folder(self) -> bool:
        db = Path(self.path)
        return db.is_file() and not _writable(db.parent)

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
        if self.readonly:
            return
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

    def quick_check(self) -> str:
        """SQLite's quick integrity check: "ok", or the first problem it found."""
        with self._lock:
            row = self._db.execute("PRAGMA quick_check(1)").fetchone()
            return str(row[0]) if row else "no answer"

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
            conn.execute("BEGIN IMMEDIATE" if write and not self.readonly else "BEGIN")
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



def unusable_reason(path: str | Path, error: BaseException) -> str:
    """Why the database file at ``path`` cannot be used, in words an operator can act on
    (the folder is read-only, a file or folder is in the way, the file is not a database)."""
    db = Path(path)
    folder = db.parent
    detail = str(error) or type(error).__name__
    if isinstance(error, SchemaTooNewError):
        return str(error)
    if db.is_dir():
        return f"{db} is a folder, not a database file: move it away"
    for parent in [folder, *folder.parents]:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder: move it away or set data_dir elsewhere"
            break
    lowered = detail.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (
            f"{db} is not a usable SQLite database ({detail}): restore it from a backup, "
            "or move it away to start afresh"
        )
    read_only = "readonly" in lowered or "read-only" in lowered or (
        isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    )
    if read_only or (folder.is_dir() and not _writable(folder)):
        return f"the data folder {folder} is read-only ({detail}): make it writable for factbot"
    return f"cannot use the database {db}: {detail}"


def _writable(folder: Path) -> bool:
    """Can a file be created in ``folder``? (os.access ignores read-only mounts for root.)"""
    probe = folder / f".factbot-write-test-{os.getpid()}"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink(missing_ok=True)
    return True
