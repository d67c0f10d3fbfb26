"""How each synthetic copy differs from the article: its own names and figures."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.evaluate import Item

CJK = re.compile(r"[\u4e00-\u9fff]")
_FIRST_CJK = re.compile(r"^([^\u4e00-\u9fff]*)([\u4e00-\u9fff])")


def free_characters(directory: Path) -> list[str]:
    """CJK unified ideographs (basic block) the knowledge never uses, that t2s leaves alone.

    Copies take their marks from these, so a mark never forms a word of the article and
    normalisation (traditional -> simplified) never turns two copies' names into one.
    """
    import opencc

    used = set()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".txt"):
            used.update(path.read_text(encoding="utf-8"))
    converter = opencc.OpenCC("t2s")
    return [
        ch
        for ch in map(chr, range(0x4E00, 0x9FA6))
        if ch not in used and converter.convert(ch) == ch
    ]


@dataclass
class Rewrite:
    """How copy `index` differs from the real article: every name (a term of a named type or one
    of its aliases) gets its first Chinese character swapped for one of the copy's own, and the
    digits 1-9 are permuted. Both keep every string's length and punctuation, so the copy splits
    into exactly the same sentences as the original and its facts line up one to one."""

    index: int
    names: dict[str, str]
    digits: dict[int, int]
    pattern: re.Pattern[str]
    mark: str  # the copy's own character for sentences that name nothing and state no figure

    @property
    def article_id(self) -> str:
        return f"c{self.index:03d}"

    def __call__(self, text: str) -> str:
        renamed = self.pattern.sub(lambda m: self.names[m.group(0)], text) if self.names else text
        return renamed.translate(self.digits)

    def distinct(self, sentence: str) -> str:
        """A sentence the rewrite leaves as it was gets its last Chinese character replaced by
        the copy's mark: otherwise 99 copies would repeat it word for word."""
        for position in range(len(sentence) - 1, -1, -1):
            if CJK.match(sentence[position]):
                return sentence[:position] + self.mark + sentence[position + 1 :]
        return sentence


def named_surfaces(terms: Iterable[dict]) -> list[str]:
    """Every way terms.yaml writes a named thing (not the article's common concepts, type term,
    which any article may share), as long as it contains a Chinese character."""
    surfaces = {
        surface
        for term in terms
        if term.get("type", "term") != "term"
        for surface in (term["term"], *(term.get("aliases") or ()))
        if CJK.search(surface)
    }
    return sorted(surfaces, key=lambda s: (-len(s), s))


def swap_first(surface: str, letters: dict[str, str]) -> str:
    """The surface with its first Chinese character replaced as `letters` says."""
    match = _FIRST_CJK.match(surface)
    if match is None:
        return surface
    prefix, first = match.groups()
    return prefix + letters[first] + surface[match.end() :]


def make_rewrites(directory: Path, copies: int) -> list[Rewrite]:
    """One Rewrite per copy, 1..copies; deterministic, and no two copies share a name.

    Copy k replaces the i-th distinct first character of the names by free character
    (k-1)*n+i, so within a copy different names stay different (罗敏 and 解敏 do not merge) and
    no name is shared between copies or with the real article.
    """
    terms = yaml.safe_load((directory / "terms.yaml").read_text(encoding="utf-8"))
    surfaces = named_surfaces(terms)
    firsts = sorted({m.group(2) for s in surfaces if (m := _FIRST_CJK.match(s))})
    pool = free_characters(directory)
    if len(pool) < copies * (len(firsts) + 1):
        raise ValueError(f"{len(pool)} free characters are too few for {copies} copies")
    pattern = re.compile("|".join(re.escape(s) for s in surfaces))
    rewrites = []
    seen_orders = {"123456789"}
    for index in range(1, copies + 1):
        base = (index - 1) * len(firsts)
        letters = {first: pool[base + i] for i, first in enumerate(firsts)}
        names = {s: swap_first(s, letters) for s in surfaces}
        order = list("123456789")
        rng = random.Random(index)
        while "".join(order) in seen_orders:  # a new permutation of the digits for each copy
            rng.shuffle(order)
        seen_orders.add("".join(order))
        digits = {ord(a): ord(b) for a, b in zip("123456789", order, strict=True)}
        mark = pool[copies * len(firsts) + index - 1]
        rewrites.append(Rewrite(index, names, digits, pattern, mark))
    return rewrites


def derived_items(items: Sequence[Item], rewrites: Sequence[Rewrite]) -> list[Item]:
    """The questions asked again about copies: rewritten like the copy's text, expecting the
    copy's figures and names. Questions the rewrite leaves unchanged are not repeated."""
    derived = []
    for rewrite in rewrites:
        for item in items:
            question = rewrite(item.question)
            if question != item.question:
                strings = tuple(rewrite(s) for s in item.strings)
                derived.append(Item(question, item.kind, strings, item.match_any, "derived"))
    return derived
