"""The bot's memory between updates: tables with a fixed number of entries, each small.

A public bot meets an unbounded number of chats and users, so every table it keeps in memory
has a cap and forgets its oldest entries first. Entries are kept small because the caps are
large (tens of thousands): a key is one int where it can be (a tuple of two ints costs three
objects), and values are slotted objects or tuples.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Recent", "pair_key"]

K = TypeVar("K")
V = TypeVar("V")

_SPAN = 1 << 64


def pair_key(first: int, second: int | None) -> int | tuple[int, int | None]:
    """One int standing for the pair (``first``, ``second``): ``first`` alone when
    ``second`` is None, else ``first * 2**64 + second``. Distinct pairs get distinct keys
    as long as ``first`` is a chat id (never 0); a ``second`` out of range keeps the tuple."""
    if second is None:
        return first
    if 0 <= second < _SPAN:
        return first * _SPAN + second
    return (first, second)


class Recent(Generic[K, V]):
    """The ``size`` entries written last; writing one again makes it the newest, and the
    oldest goes first when the table is full."""

    __slots__ = ("_items", "size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        items = self._items
        items[key] = value
        items.move_to_end(key)
        if len(items) > self.size:
            items.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def pop(self, key: K) -> V | None:
        return self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
