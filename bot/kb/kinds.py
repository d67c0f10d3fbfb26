"""Kind words (language.yaml `kinds:`): the words a question uses for a kind of named thing
(活动, 会议 for an event; 文件, 政策 for a document), by the type terms.yaml gives those things.
"哪个活动上发布的" asks for an event, and a sentence naming one (中关村论坛年会) gives it."""

from __future__ import annotations

from collections.abc import Mapping

from bot.kb.yamlsrc import Collector, line_of

KIND_TYPES = ("person", "place", "org", "product", "event", "document")


def load_kinds(c: Collector, data: Mapping) -> dict[str, tuple[str, ...]]:
    """Type -> its kind words, each error at its line."""
    node = data.get("kinds", {})
    if not isinstance(node, Mapping):
        c.error(line_of(data, "kinds"), "kinds: must map a type of terms.yaml to its words")
        return {}
    kinds: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for kind, words in node.items():
        line = line_of(node, kind)
        if kind not in KIND_TYPES:
            c.error(line, f"kinds: unknown type {kind!r}", f"use one of {', '.join(KIND_TYPES)}")
            continue
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            c.error(line, f"kinds {kind!r}: must be a list of words")
            continue
        for word in words:
            if word in owner and owner[word] != kind:
                c.error(line, f"kinds: {word!r} is a word for {owner[word]!r} and {kind!r}")
            owner[word] = kind
        kinds[str(kind)] = tuple(words)
    return kinds
