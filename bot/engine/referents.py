"""What a demonstrative with a noun (那家研究院, 那个所) stands for when no name the conversation
kept fits it: a body the passage just shown names, for bot/engine/followup.py.

An answer quotes a paragraph; the user's "那家研究院叫什么" may point at a body that paragraph,
or its section, names though neither the question nor the answer line did (the photo's credit
is answered, and its section names 微小卫星创新研究院). Only names of a known kind count (a
phrase such as 科学家办企业 is no body), and only those that end in the noun.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine.analysis import Token
from bot.engine.normalize import normalize
from bot.kb.facts import Fact

if TYPE_CHECKING:
    from bot.engine.context import Context
    from bot.engine.engine import Engine

Name = tuple[str, str]
_NOT_HEADS = ("u", "y", "p", "v", "d", "m", "q")  # particles, verbs, adverbs, numerals
_WHICH = ("哪一个", "哪一家", "哪个", "哪家", "哪所", "哪位")


def head_noun(token: Token, names: list[str]) -> bool:
    """Is this one-character word after a demonstrative the head of a name (所 of 北京脑科学与
    类脑研究所), though the segmenter did not read it as a noun?"""
    return (
        len(token.text) == 1
        and not token.pos.startswith(_NOT_HEADS)
        and any(len(name) > 1 and name.endswith(token.text) for name in names)
    )


def asks_its_name(folded: str, noun: str, names: tuple[str, ...]) -> bool:
    """Does the message ask the name of the noun it points at (那家研究院叫什么, 那个所的名字),
    not of another thing (那台手术病人叫什么)?"""
    compact = folded.replace(" ", "")
    rest = compact[compact.find(noun) + len(noun) :].removeprefix("的").removeprefix("是")
    return any(rest.startswith(word) for word in names)


def passage_names(engine: Engine, shown: tuple[str, ...], noun: str) -> list[Name]:
    """The names of a known kind that end in `noun` (a 研究院: 微小卫星创新研究院; for 技术 never
    北京市科学技术委员会), in the facts shown first, then in the rest of their section."""
    analyzer = engine.index.analyzer
    found: dict[str, str] = {}
    for fact in _facts_near(engine, shown):
        for entity in fact.entities:
            name = analyzer.fold(normalize(entity), fuzzy=True).replace(" ", "")
            kind = analyzer.entity_types.get(name)
            if kind and name.endswith(noun) and name != noun:
                found.setdefault(name, kind)
    return list(found.items())


def quoted_text(engine: Engine, shown: tuple[str, ...]) -> str:
    """The text of the facts shown, joined (what a noun may point into: 一家科技企业)."""
    return "".join(f.text for f in _facts(engine, shown))


def _facts(engine: Engine, ids: tuple[str, ...]) -> list[Fact]:
    found = []
    for fact_id in ids:
        try:
            found.append(engine.knowledge.fact(fact_id))
        except KeyError:
            continue
    return found


def _facts_near(engine: Engine, shown: tuple[str, ...]) -> list[Fact]:
    """The facts shown, then the others of the sections they stand in, in reading order."""
    facts = _facts(engine, shown)
    sections = {(f.article, f.section) for f in facts}
    rest = [
        f
        for f in engine.knowledge.facts
        if (f.article, f.section) in sections and f.id not in set(shown)
    ]
    return facts + rest


def pointed_into(
    engine: Engine, normalised: str, word: str, noun: str, context: Context
) -> list[tuple[str, str]]:
    """(reading, referent) of "那家企业在哪儿" after a quote that speaks of 一家科技企业 but
    names no such body: the message without its demonstrative, asked of the last topic (纪姝婷
    企业在哪儿); nothing when the quote never speaks of the noun."""
    analyzer = engine.index.analyzer
    quoted = analyzer.fold(normalize(quoted_text(engine, context.shown)), fuzzy=True)
    said = [name for name, _ in context.topic]
    at = normalised.find(word)
    if not said or at < 0 or noun not in quoted.replace(" ", ""):
        return []
    rest = normalised[:at] + normalised[at + len(word) :]
    return [(f"{' '.join(said)} {rest}".strip(), said[0])]


def which_body(engine: Engine, folded: str, nouns: list[str], shown: tuple[str, ...]) -> str:
    """The body a bare "哪个研究所" asks for: the quote shown speaks of a 研究所 without its name
    ("研究所全面实行……") and its section names one; "" for any other message."""
    compact = folded.replace(" ", "").removeprefix("是")
    which = next((w for w in _WHICH if compact.startswith(w)), "")
    if len(nouns) != 1 or not which or not compact[len(which) :].startswith(nouns[0]):
        return ""
    if compact[len(which) + len(nouns[0]) :].strip("呢呀啊的?？"):
        return ""  # (哪个研究所的所长: a question of its own)
    quoted = engine.index.analyzer.fold(normalize(quoted_text(engine, shown)), fuzzy=True)
    bodies = passage_names(engine, shown, nouns[0])
    return bodies[0][0] if bodies and nouns[0] in quoted.replace(" ", "") else ""
