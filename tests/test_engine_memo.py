"""Caches of derived readings live on the index they come from (index.memo)."""

from __future__ import annotations

from bot.engine.index import memo


def test_a_memo_belongs_to_its_index_and_is_bounded(engine) -> None:
    cache = memo(engine.index, "a test cache", limit=3)
    cache.update(a=1, b=2, c=3)
    assert memo(engine.index, "a test cache", limit=3) == {}  # full: started afresh
    memo(engine.index, "a test cache", limit=3)["d"] = 4
    assert memo(engine.index, "a test cache")["d"] == 4  # the same dict, on the same index
    assert memo(engine.index, "another") == {}
