"""language.yaml's `opposites`: words a claim may use that a word of the article contradicts
(免费 against 收费, 花钱, 租金), so "研发空间要付租金吧" is answered 不对, not declined."""

from __future__ import annotations

from collections.abc import Mapping

from bot.kb.yamlsrc import Collector, line_of


def load_opposites(c: Collector, data: Mapping) -> dict[str, tuple[str, ...]]:
    """The article's word -> the words that contradict it, each error at its line."""
    node = data.get("opposites", {})
    if not isinstance(node, Mapping):
        c.error(line_of(data, "opposites"), "opposites: must map a word to the words against it")
        return {}
    opposites: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for word, against in node.items():
        line = line_of(node, word)
        if not isinstance(against, list) or not all(isinstance(w, str) and w for w in against):
            c.error(line, f"opposites {word!r}: must be a list of words")
            continue
        for other in against:
            if other == word:
                c.error(line, f"opposites {word!r}: a word is not its own opposite")
            elif other in owner and owner[other] != word:
                c.error(line, f"opposites: {other!r} is against {owner[other]!r} and {word!r}")
            owner[other] = str(word)
        opposites[str(word)] = tuple(against)
    return opposites
