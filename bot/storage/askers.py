"""Who asked, without naming them: the keyed hash that ties an unanswered question to its asker.

The unanswered table keeps a question's text for curators. So that ``forget`` can delete one
user's questions without a user id kept beside the text, a row carries HMAC-SHA256 of the
user id under a random key made for this database file (table ``secrets``), cut to 16 bytes.
The table alone (a report, an export, a copy of its rows) names nobody, and the hash cannot be
worked back to an id without the key. Whoever holds the whole file, key included, can still
test a given user id against the rows, as they can read the user ids of votes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3

ASKER_KEY = "asker"
KEY_BYTES = 32
DIGEST_BYTES = 16  # collisions among a bot's users: about 2**-100 for a million of them


def asker_key(conn: sqlite3.Connection, *, create: bool) -> bytes | None:
    """This file's key; made now if it has none and ``create`` (call it inside the write
    transaction that uses it, so two processes never make two keys)."""
    row = conn.execute("SELECT value FROM secrets WHERE name = ?", (ASKER_KEY,)).fetchone()
    if row is not None:
        return bytes(row[0])
    if not create:
        return None
    key = secrets.token_bytes(KEY_BYTES)
    conn.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (ASKER_KEY, key))
    return key


def asker_hash(key: bytes, user_id: int) -> bytes:
    """What a row stores for the user who asked."""
    return hmac.new(key, str(int(user_id)).encode("ascii"), hashlib.sha256).digest()[:DIGEST_BYTES]
