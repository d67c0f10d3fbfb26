"""The synthetic knowledge base: the article's copies written out, with their terms and intents."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.engine.config import KNOWLEDGE, MAIN_ARTICLE
from bench.engine.rewrite import CJK, Rewrite, make_rewrites

_SKIP_KEYS = {"id", "raw", "kind"}  # article.yaml keys that are identifiers, not text


def _rewrite_tree(node: Any, rewrite: Rewrite, paragraph: bool = False) -> Any:
    """The article's YAML with every text rewritten; ids and file names stay as they are.

    A `join:` paragraph becomes the plain string it stands for (a copy has no newspaper columns
    to rejoin). Each text that becomes facts gets the copy's mark in the sentences the rewrite
    did not change, so every fact of every copy is its own.
    """
    from bot.kb.sentences import split_sentences

    if isinstance(node, dict):
        if set(node) == {"join"}:
            joined = "".join(p for p in node["join"] if isinstance(p, str))
            return _rewrite_tree(joined, rewrite, paragraph=True)
        return {
            key: value if key in _SKIP_KEYS else _rewrite_tree(value, rewrite, key == "paragraphs")
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_tree(value, rewrite, paragraph) for value in node]
    if isinstance(node, str):
        pieces = split_sentences(node) if paragraph else [node]
        out = []
        for piece in pieces:
            changed = rewrite(piece)
            out.append(changed if changed != piece else rewrite.distinct(piece))
        return "".join(out)
    return node


def dump_yaml(data: Any) -> str:
    """Block-style YAML, with libyaml's emitter when PyYAML has it (several times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100_000)


def write_copy_article(directory: Path, rewrite: Rewrite) -> None:
    """sources/cNNN/: the main article rewritten, with its raw text (the loader wants one)."""
    source = yaml.safe_load(
        (directory / "sources" / MAIN_ARTICLE / "article.yaml").read_text(encoding="utf-8")
    )
    article = _rewrite_tree(source, rewrite)
    article["id"] = rewrite.article_id
    folder = directory / "sources" / rewrite.article_id
    folder.mkdir(parents=True)
    (folder / "article.yaml").write_text(dump_yaml(article), encoding="utf-8")
    # Its raw text is every piece the cleaned copy quotes, in its order: what the loader's
    # provenance check (bot.kb.provenance) proves a cleaned article against.
    from bot.kb.article_load import load_article

    (folder / "raw.txt").write_text("", encoding="utf-8")
    pieces = [piece.text for piece in load_article(folder / "article.yaml").fragments]
    (folder / "raw.txt").write_text("\n".join(pieces) + "\n", encoding="utf-8")


def copy_terms(terms: list[dict], rewrite: Rewrite) -> list[dict]:
    """The copy's own names as terms: what a curator would add with a new article."""
    out = []
    for term in terms:
        if term.get("type", "term") == "term":
            continue
        entry = {"term": rewrite(term["term"]), "type": term["type"]}
        aliases = [rewrite(a) for a in term.get("aliases") or () if CJK.search(a)]
        if aliases:
            entry["aliases"] = aliases
        out.append(entry)
    return out


def copy_intents(intents: list[dict], rewrite: Rewrite, fact_map: dict[str, str]) -> list[dict]:
    """The curated intents again for the copy: ids suffixed, facts remapped to the copy's, and
    answer, title and examples rewritten like its text. An example that names nothing ("标题",
    "Vidu 8秒": figures alone may coincide between copies) would be claimed by two intents, which
    the loader rejects, so it is asked about the copy's main place instead."""
    place = rewrite("北京")
    out = []
    for intent in intents:
        examples = []
        for example in intent["examples"]:
            named = rewrite.pattern.search(example) is not None
            examples.append(rewrite(example) if named else f"关于{place}，{rewrite(example)}")
        entry = {
            "id": f"{intent['id']}_{rewrite.article_id}",
            "answer": rewrite(intent["answer"]),
            "facts": [fact_map[f] for f in intent["facts"]],
            "examples": examples,
        }
        if intent.get("title"):
            entry["title"] = rewrite(intent["title"])
        out.append(entry)
    return out


def fact_positions(facts: Iterable[Any], article: str) -> dict[tuple[str, int], str]:
    """(paragraph id without its article, sentence number) -> fact id, for one article."""
    return {(f.paragraph.split(".", 1)[1], f.sentence): f.id for f in facts if f.article == article}


@dataclass
class Built:
    factor: int
    seconds: float
    facts: int
    intents: int
    terms: int


def build_synthetic(target: Path, factor: int) -> tuple[Built, list[Rewrite]]:
    """knowledge/ plus factor-1 rewritten copies of the main article, their names as terms and
    their intents; facts.yaml regenerated by the project's own build (bot.kb.store.build).

    Everything is read from the fresh copy in `target`, never again from knowledge/, so an edit
    made there meanwhile cannot make the copies disagree with each other. Returns the rewrites
    too: questions about a copy must be rewritten by exactly the same table.
    """
    from bot.kb.facts import load_facts
    from bot.kb.store import build

    start = time.perf_counter()
    shutil.copytree(KNOWLEDGE, target, ignore=shutil.ignore_patterns("eval"))
    rewrites = make_rewrites(target, factor - 1)
    terms = yaml.safe_load((target / "terms.yaml").read_text(encoding="utf-8"))
    extra_terms = []
    for rewrite in rewrites:
        write_copy_article(target, rewrite)
        extra_terms += copy_terms(terms, rewrite)
    with (target / "terms.yaml").open("a", encoding="utf-8") as out:
        out.write("\n# synthetic copies (bench/engine)\n")
        for entry in extra_terms:
            out.write(f"- {json.dumps(entry, ensure_ascii=False)}\n")  # JSON is YAML
    build(target)
    facts = load_facts(target / "facts.yaml")
    original = fact_positions(facts, MAIN_ARTICLE)
    intents = yaml.safe_load((target / "intents.yaml").read_text(encoding="utf-8"))
    extra_intents = []
    for rewrite in rewrites:
        positions = fact_positions(facts, rewrite.article_id)
        fact_map = {fact_id: positions[place] for place, fact_id in original.items()}
        extra_intents += copy_intents(intents, rewrite, fact_map)
    with (target / "intents.yaml").open("a", encoding="utf-8") as out:
        out.write("\n# synthetic copies (bench/engine)\n")
        out.write(dump_yaml(extra_intents))
    seconds = time.perf_counter() - start
    built = Built(factor, seconds, len(facts), len(intents) * factor, len(terms) + len(extra_terms))
    return built, rewrites


def spread(count: int, available: int) -> list[int]:
    """`count` copy numbers spread evenly over 1..available."""
    if available <= 0 or count <= 0:
        return []
    if count == 1:
        return [1]
    return sorted({round(1 + i * (available - 1) / (count - 1)) for i in range(count)})
