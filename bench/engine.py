"""How good and how fast the question-answering engine is, beside two naive baselines.

    python -m bench.engine [--sets knowledge/eval/dev.yaml ...] [--quick]

Three parts, printed side by side; nothing here asserts anything about time.

1. Accuracy and latency on the same questions (default: every knowledge/eval/*.yaml), in one
   process, for the Engine and two baselines that quote the single best fact sentence:
   "WRatio" (rapidfuzz fuzz.WRatio of the raw question against each fact's text) and "BM25"
   (BM25, k1=1.5, b=0.75, over character pairs of NFKC text). A baseline answers when its best
   score reaches a threshold tuned on dev.yaml and declines otherwise; it never makes small talk.
   Without baselines an accuracy figure says little: they show what plain matching already gets.
2. Cold start of `factbot ask "北京有多少所高校？"` as a real process, beside `python -c pass`,
   the interpreter's own floor: what a user of the CLI waits for.
3. Scale: a synthetic knowledge base with 100 times the article (99 derived copies whose names
   and figures differ; 50x, 20x or 10x if building takes over three minutes), loaded in a fresh
   process beside the real one, to see how load time, latency and memory grow with knowledge.

Each knowledge base is measured in its own child process (``--measure-kb``), so the peak
resident memory (resource.getrusage) belongs to that knowledge alone, and building it runs in a
child too (``--build-kb``) so it can be stopped after three minutes and retried smaller.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/engine.py
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from bot.engine.reply import Reply  # noqa: E402
from bot.evaluate import Item, load_items  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
DEV = KNOWLEDGE / "eval" / "dev.yaml"
MAIN_ARTICLE = "bj"
COLD_QUESTION = "北京有多少所高校？"

TARGET_COLD_MEDIAN_S = 0.5
TARGET_MEAN_MS = 1.5  # mean time per question over a batch of questions
TARGET_P99_MS = 20.0
TARGET_PEAK_MB = 300.0
BUILD_LIMIT_S = 180.0  # a bigger synthetic knowledge base that takes longer is built smaller
FACTORS = (100, 50, 20, 10)  # tried in this order; --quick starts at 10
KINDS = ("answer", "oos", "smalltalk")
KIND_LABELS = {"answer": "answers", "oos": "oos declined", "smalltalk": "small talk"}

Answerer = Callable[[str], Reply]


# ---------------------------------------------------------------- questions and measuring


def load_sets(paths: Sequence[Path]) -> list[Item]:
    """Every question of the given eval files, in order (the format of knowledge/eval/*.yaml)."""
    return [item for path in paths for item in load_items(path)]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: a value that was actually measured, never an interpolation."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Measured:
    """One system's replies to a list of questions: right or wrong, and how long each took."""

    name: str
    kinds: list[str] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)  # the first ask of each question
    again_ms: list[float] = field(default_factory=list)  # median of the later asks, if any
    first_cpu_ms: list[float] = field(default_factory=list)  # CPU time of each first ask

    def counts(self, kind: str | None = None) -> tuple[int, int]:
        hits = [ok for k, ok in zip(self.kinds, self.correct, strict=True) if kind in (None, k)]
        return sum(hits), len(hits)

    def accuracy(self, kind: str | None = None) -> float | None:
        passed, total = self.counts(kind)
        return passed / total if total else None


def measure(name: str, answer: Answerer, items: Sequence[Item], repeats: int = 1) -> Measured:
    """Ask every question `repeats` times and judge the first reply.

    The first ask is what a user with a new question waits for; the engine caches some work per
    word, so asking again is faster, and the median of the later asks (shown beside it) is also
    less at the mercy of a busy machine. p50/p99 are taken over questions.
    """
    result = Measured(name)
    for item in items:
        times: list[float] = []
        for run in range(max(1, repeats)):
            start, cpu = time.perf_counter(), time.process_time()
            reply = answer(item.question)
            times.append((time.perf_counter() - start) * 1000)
            if run == 0:
                result.first_cpu_ms.append((time.process_time() - cpu) * 1000)
                result.correct.append(item.judge(reply))
        result.kinds.append(item.kind)
        result.first_ms.append(times[0])
        result.again_ms.append(statistics.median(times[1:] or times))
    return result


# ---------------------------------------------------------------- baselines


class WRatioRanker:
    """The fact whose text is most like the raw question by fuzz.WRatio (score 0..100)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)

    def best(self, question: str) -> tuple[float, int]:
        match = process.extractOne(question, self.texts, scorer=fuzz.WRatio, processor=None)
        return (float(match[1]), int(match[2])) if match else (0.0, -1)


_WORD_RUN = re.compile(r"[^\W_]+")


def char_bigrams(text: str) -> list[str]:
    """Character pairs inside runs of letters, digits or CJK of the NFKC, lower-cased text.

    Pairs are the usual unit for Chinese retrieval without a segmenter; punctuation and spaces
    end a run, so "校？" or "， 北" never count as shared content.
    """
    grams: list[str] = []
    for run in _WORD_RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class BM25Ranker:
    """Okapi BM25 over character pairs; each fact is a document, the question is the query."""

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        docs = [Counter(char_bigrams(t)) for t in texts]
        lengths = [sum(d.values()) for d in docs]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        frequency = Counter(gram for doc in docs for gram in doc)
        total = len(docs)
        self.idf = {
            gram: math.log(1 + (total - n + 0.5) / (n + 0.5)) for gram, n in frequency.items()
        }
        # Precompute each posting's term-frequency part: a query is then one multiply-add each.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / average)
            for gram, tf in doc.items():
                self.postings[gram].append((number, tf * (k1 + 1) / (tf + norm)))

    def best(self, question: str) -> tuple[float, int]:
        scores: dict[int, float] = defaultdict(float)
        for gram in set(char_bigrams(question)):
            idf = self.idf.get(gram)
            if idf is None:
                continue
            for number, part in self.postings[gram]:
                scores[number] += idf * part
        if not scores:
            return 0.0, -1
        number = max(scores, key=lambda n: (scores[n], -n))
        return scores[number], number


class Ranker(Protocol):
    """What a baseline needs: the best fact for a question and its score (higher is better)."""

    def best(self, question: str) -> tuple[float, int]: ...


def decide(texts: Sequence[str], score: float, number: int, threshold: float) -> Reply:
    """A baseline's reply: the fact text itself when the score reaches the threshold."""
    if number >= 0 and score >= threshold:
        return Reply("answer", texts[number], score=score)
    return Reply("fallback", "", score=score)


def tune_threshold(
    ranker: Ranker, texts: Sequence[str], items: Sequence[Item]
) -> tuple[float, float]:
    """The threshold with the best accuracy on `items`, and that accuracy.

    Every distinct best score is a candidate (and +inf: never answer). Among equally accurate
    thresholds the highest wins: when unsure, declining is what the project asks of a reply.
    """
    scored = [(item, *ranker.best(item.question)) for item in items]
    candidates = [*sorted({score for _, score, _ in scored}), math.inf]
    best_threshold, best_correct = math.inf, -1
    for threshold in candidates:
        correct = sum(item.judge(decide(texts, s, n, threshold)) for item, s, n in scored)
        if correct >= best_correct:
            best_threshold, best_correct = threshold, correct
    return best_threshold, best_correct / len(items) if items else 0.0


@dataclass
class Baseline:
    name: str
    ranker: Ranker
    texts: list[str]
    threshold: float
    dev_accuracy: float

    def ask(self, question: str) -> Reply:
        return decide(self.texts, *self.ranker.best(question), self.threshold)


def make_baselines(fact_texts: Sequence[str], dev_items: Sequence[Item]) -> list[Baseline]:
    """Both baselines over the same facts, each with its threshold tuned on the dev questions."""
    baselines = []
    for name, ranker in (
        ("WRatio", WRatioRanker(fact_texts)),
        ("BM25 bigrams", BM25Ranker(fact_texts)),
    ):
        threshold, accuracy = tune_threshold(ranker, fact_texts, dev_items)
        baselines.append(Baseline(name, ranker, list(fact_texts), threshold, accuracy))
    return baselines


# ---------------------------------------------------------------- cold start


def factbot_command() -> list[str]:
    """The virtualenv's `factbot` script beside this interpreter, else `python -m bot`."""
    script = Path(sys.executable).with_name("factbot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot"]


def time_process(command: Sequence[str], cpu: list[float] | None = None) -> tuple[float, str]:
    """Wall time of one whole process, start to exit, and what it printed (its CPU time, user
    and system, appended to `cpu`: what a busy machine inflates less than the wall time).

    The child may write bytecode caches even where this shell forbids it
    (PYTHONDONTWRITEBYTECODE): an installed copy has them, so a user's start-up does not
    compile every module."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed, done.stdout


def cold_starts(
    commands: dict[str, list[str]], runs: int, cpu: dict[str, list[float]] | None = None
) -> tuple[dict[str, list[float]], str]:
    """`runs` timed runs of each command, taken in turns so both see the same machine load.

    One untimed run of each comes first: it writes bytecode caches and warms the file cache,
    which a user's second run would find warm too. Returns the times and factbot's output.
    """
    output = ""
    for name, command in commands.items():
        _, printed = time_process(command)
        output = printed if name == "factbot" else output
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            used = cpu.setdefault(name, []) if cpu is not None else None
            times[name].append(time_process(command, used)[0])
    return times, output


# ---------------------------------------------------------------- synthetic knowledge


_CJK = re.compile(r"[\u4e00-\u9fff]")
_FIRST_CJK = re.compile(r"^([^\u4e00-\u9fff]*)([\u4e00-\u9fff])")
_SKIP_KEYS = {"id", "raw", "kind"}  # article.yaml keys that are identifiers, not text


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
            if _CJK.match(sentence[position]):
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
        if _CJK.search(surface)
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
    from bot.kb.article import load_article

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
        aliases = [rewrite(a) for a in term.get("aliases") or () if _CJK.search(a)]
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
        out.write("\n# synthetic copies (bench/engine.py)\n")
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
        out.write("\n# synthetic copies (bench/engine.py)\n")
        out.write(dump_yaml(extra_intents))
    seconds = time.perf_counter() - start
    built = Built(factor, seconds, len(facts), len(intents) * factor, len(terms) + len(extra_terms))
    return built, rewrites


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


def spread(count: int, available: int) -> list[int]:
    """`count` copy numbers spread evenly over 1..available."""
    if available <= 0 or count <= 0:
        return []
    if count == 1:
        return [1]
    return sorted({round(1 + i * (available - 1) / (count - 1)) for i in range(count)})


# ---------------------------------------------------------------- measuring one knowledge base


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure_knowledge(directory: Path, questions: list[dict], repeats: int) -> dict:
    """Load the Engine on `directory` and time every question: run in a child process, so that
    its memory figures are this knowledge base's alone."""
    from bot.engine.engine import Engine

    before = rss_mb()
    start = time.perf_counter()
    engine = Engine.load(directory)
    load_s = time.perf_counter() - start
    after = rss_mb()
    engine.ask("你好")  # the first question pays for lazy set-up; users ask many
    items = [Item(q["q"], q["kind"], tuple(q["strings"]), q["any"], q["group"]) for q in questions]
    result = measure("engine", engine.ask, items, repeats)
    return {
        "load_s": load_s,
        "rss_before_mb": before,
        "rss_after_load_mb": after,
        "peak_rss_mb": peak_rss_mb(),
        "facts": len(engine.knowledge.facts),
        "intents": len(engine.knowledge.intents),
        "candidates": len(engine.index.candidates),
        "first_ms": result.first_ms,
        "again_ms": result.again_ms,
        "correct": result.correct,
        "groups": [item.tag for item in items],
    }


def run_child(args: list[str], timeout: float | None = None) -> dict:
    """Run this module in a fresh interpreter; its last output line is a JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.engine", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.engine {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_child(target: Path, factor: int, derived_copies: int) -> dict:
    """In the build child: build, then rewrite the dev questions for a few copies spread over
    all of them, with the same tables the copies were made with."""
    built, rewrites = build_synthetic(target, factor)
    copies = spread(derived_copies, factor - 1)
    derived = derived_items(load_items(DEV), [r for r in rewrites if r.index in copies])
    return {
        "built": built.__dict__,
        "copies": copies,
        "derived": as_questions(derived, "derived"),
    }


def build_largest(
    workdir: Path, factors: Sequence[int], derived_copies: int
) -> tuple[Path, dict, list[str]]:
    """The largest synthetic knowledge base of `factors` that builds within BUILD_LIMIT_S."""
    notes = []
    for factor in factors:
        target = workdir / f"knowledge_x{factor}"
        args = ["--build-kb", str(target), "--factor", str(factor)]
        try:
            data = run_child([*args, "--derived-copies", str(derived_copies)], BUILD_LIMIT_S)
        except subprocess.TimeoutExpired:
            notes.append(
                f"building {factor}x took over {BUILD_LIMIT_S:.0f} s, so a smaller factor was used"
            )
            shutil.rmtree(target, ignore_errors=True)
            continue
        return target, data, notes
    raise RuntimeError("no synthetic knowledge base could be built in time: " + "; ".join(notes))


def as_questions(items: Iterable[Item], group: str) -> list[dict]:
    return [
        {
            "q": i.question,
            "kind": i.kind,
            "strings": list(i.strings),
            "any": i.match_any,
            "group": group,
        }
        for i in items
    ]


# ---------------------------------------------------------------- printing


def ljust(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two columns of a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def fraction(measured: Measured, kind: str | None) -> str:
    passed, total = measured.counts(kind)
    return f"{passed}/{total} {pct(passed / total)}" if total else "-"


def ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None:
        return "-"
    return "inf" if theirs == 0 else f"{ours / theirs:.2f}x"


def print_accuracy(results: Sequence[Measured]) -> None:
    header = (
        f"{'system':<14}{'overall':>16}"
        + "".join(f"{KIND_LABELS[k]:>16}" for k in KINDS)
        + f"{'p50 ms':>9}{'p99 ms':>9}{'again p50':>11}{'again p99':>11}"
        + f"{'mean ms':>9}{'CPU ms':>8}"
    )
    print(header)
    for m in results:
        row = f"{m.name:<14}{fraction(m, None):>16}" + "".join(
            f"{fraction(m, k):>16}" for k in KINDS
        )
        first = f"{percentile(m.first_ms, 50):>9.2f}{percentile(m.first_ms, 99):>9.2f}"
        again = f"{percentile(m.again_ms, 50):>11.2f}{percentile(m.again_ms, 99):>11.2f}"
        mean = f"{statistics.fmean(m.first_ms):>9.2f}{statistics.fmean(m.first_cpu_ms):>8.2f}"
        print(row + first + again + mean)
    ours = results[0]
    mean = statistics.fmean(ours.first_ms)
    verdict = "meets" if mean <= TARGET_MEAN_MS else "MISSES"
    print(
        f"{ours.name} mean {mean:.2f} ms per question over the batch (CPU "
        f"{statistics.fmean(ours.first_cpu_ms):.2f} ms) {verdict} the target <= {TARGET_MEAN_MS} ms"
    )
    for other in results[1:]:
        parts = [f"overall {ratio(ours.accuracy(), other.accuracy())}"]
        parts += [f"{KIND_LABELS[k]} {ratio(ours.accuracy(k), other.accuracy(k))}" for k in KINDS]
        print(f"accuracy ratio {ours.name} / {other.name}: " + ", ".join(parts))


def print_cold(
    times: dict[str, list[float]], output: str, command: list[str], cpu: dict[str, list[float]]
) -> None:
    label = {"factbot": f"factbot ask {COLD_QUESTION}", "python": "python -c pass"}
    print(f"{'process':<32}{'median s':>10}{'max s':>10}{'min s':>10}{'CPU s':>8}")
    for name, values in times.items():
        print(
            f"{ljust(label[name], 32)}{statistics.median(values):>10.3f}{max(values):>10.3f}"
            f"{min(values):>10.3f}{statistics.median(cpu.get(name) or [math.nan]):>8.3f}"
        )
    factbot, floor = statistics.median(times["factbot"]), statistics.median(times["python"])
    verdict = "meets" if factbot <= TARGET_COLD_MEDIAN_S else "MISSES"
    print(
        f"factbot median {factbot:.3f} s {verdict} the target <= {TARGET_COLD_MEDIAN_S:.1f} s; "
        f"{factbot - floor:.3f} s above the interpreter's floor"
    )
    first = output.strip().splitlines()[0] if output.strip() else "(no output)"
    print(f"command: {' '.join(command)} -> {first}")


SCALE_COLUMNS = (
    ("knowledge", 11),
    ("facts", 7),
    ("intents", 8),
    ("build s", 9),
    ("load s", 8),
    ("base MB", 9),
    ("+load MB", 9),
    ("peak MB", 9),
    ("asked", 7),
    ("p50 ms", 9),
    ("p99 ms", 9),
    ("max ms", 9),
    ("again p99", 11),
    ("dev acc", 9),
    ("derived acc", 12),
)


def scale_row(label: str, built: Built | None, data: dict) -> list[str]:
    """One knowledge base's figures, in the order of SCALE_COLUMNS."""
    lat = data["first_ms"]
    by_group: dict[str, list[bool]] = defaultdict(list)
    for group, ok in zip(data["groups"], data["correct"], strict=True):
        by_group[group].append(ok)
    acc = {g: sum(v) / len(v) for g, v in by_group.items()}
    return [
        label,
        str(data["facts"]),
        str(data["intents"]),
        f"{built.seconds:.1f}" if built else "-",
        f"{data['load_s']:.2f}",
        f"{data['rss_before_mb']:.1f}",
        f"{data['rss_after_load_mb'] - data['rss_before_mb']:.1f}",
        f"{data['peak_rss_mb']:.1f}",
        str(len(lat)),
        f"{percentile(lat, 50):.2f}",
        f"{percentile(lat, 99):.2f}",
        f"{max(lat):.2f}",
        f"{percentile(data['again_ms'], 99):.2f}",
        pct(acc.get("dev")),
        pct(acc.get("derived")) if built else "(n/a)",
    ]


def print_scale(rows: list[tuple[str, Built | None, dict]], notes: list[str]) -> None:
    widths = [w for _, w in SCALE_COLUMNS]
    lines = [[name for name, _ in SCALE_COLUMNS]] + [scale_row(*row) for row in rows]
    for cells in lines:
        rest = zip(cells[1:], widths[1:], strict=True)
        print(cells[0].ljust(widths[0]) + "".join(c.rjust(w) for c, w in rest))
    print(
        "p50/p99/max: first ask of each question; again p99: median of the later asks. "
        "base MB: resident memory after imports, before Engine.load; +load MB: what loading "
        "added; peak MB: ru_maxrss of that process"
    )
    for label, _, data in rows:
        p99, peak = percentile(data["first_ms"], 99), data["peak_rss_mb"]
        print(
            f"{label}: p99 {p99:.1f} ms {'meets' if p99 <= TARGET_P99_MS else 'MISSES'} "
            f"<= {TARGET_P99_MS:.0f} ms; peak {peak:.0f} MB "
            f"{'meets' if peak <= TARGET_PEAK_MB else 'MISSES'} <= {TARGET_PEAK_MB:.0f} MB"
        )
    for note in notes:
        print(f"note: {note}")


# ---------------------------------------------------------------- the three parts


@dataclass
class Settings:
    """What one run does: from the command line, with --quick choosing smaller defaults."""

    sets: list[Path]
    repeats: int
    cold_runs: int
    factors: tuple[int, ...]
    derived_copies: int
    scale_repeats: int


def part_accuracy(settings: Settings) -> None:
    """Part 1: the Engine and both baselines on the same questions, in this process."""
    from bot.engine.engine import Engine

    items = load_sets(settings.sets)
    engine = Engine.load(KNOWLEDGE)
    texts = [fact.text for fact in engine.knowledge.facts]
    baselines = make_baselines(texts, load_items(DEV))
    engine.ask("你好")  # the first question pays for lazy set-up; users ask many
    shown = ", ".join(
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in settings.sets
    )
    print(f"== 1. Accuracy and latency: {len(items)} questions ({shown}), one process ==")
    print(
        f"{len(texts)} facts; baselines quote the best fact, thresholds tuned on dev.yaml "
        "(best dev accuracy, ties to the stricter):"
    )
    for b in baselines:
        print(
            f"  {b.name}: answer when score >= {b.threshold:.2f} "
            f"(dev accuracy {pct(b.dev_accuracy)})"
        )
    results = [measure("engine", engine.ask, items, settings.repeats)]
    results += [measure(b.name, b.ask, items, settings.repeats) for b in baselines]
    print(
        f"latency per question over all questions: p50/p99 of the first ask, and again of the "
        f"median of {settings.repeats - 1} later asks"
        if settings.repeats > 1
        else "latency per question over all questions: p50/p99 of one ask"
    )
    print_accuracy(results)


def part_cold(settings: Settings) -> None:
    """Part 2: whole-process start-up of the CLI, beside the bare interpreter."""
    command = factbot_command()
    commands = {
        "factbot": [*command, "ask", COLD_QUESTION],
        "python": [sys.executable, "-c", "pass"],
    }
    print(f"\n== 2. Cold start: {settings.cold_runs} run(s) each, in turns, after a warm-up ==")
    cpu: dict[str, list[float]] = {}
    times, output = cold_starts(commands, settings.cold_runs, cpu)
    print_cold(times, output, command, cpu)


def part_scale(settings: Settings) -> None:
    """Part 3: real and synthetic knowledge, each built and measured in child processes."""
    dev = load_items(DEV)
    print(
        "\n== 3. Scale: the Engine on the real knowledge and on a synthetic one, each loaded "
        "in a fresh process =="
    )
    with tempfile.TemporaryDirectory(prefix="factbot-bench-") as work:
        workdir = Path(work)
        target, data, notes = build_largest(workdir, settings.factors, settings.derived_copies)
        built, copies, derived = Built(**data["built"]), data["copies"], data["derived"]
        questions = as_questions(dev, "dev") + derived
        path = workdir / "questions.json"
        path.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        print(
            f"synthetic {built.factor}x: the real article plus {built.factor - 1} copies "
            "(names and figures rewritten per copy, their terms and intents added); "
            f"{len(dev)} dev questions + {len(derived)} asked about copies {copies}, "
            f"each asked {settings.scale_repeats} time(s)"
        )
        common = ["--questions", str(path), "--repeats", str(settings.scale_repeats)]
        real = run_child(["--measure-kb", str(KNOWLEDGE), *common])
        big = run_child(["--measure-kb", str(target), *common])
    notes.append(
        "copies repeat the article's wording, so a question shares words with every "
        f"copy: a harder case for candidate retrieval than {built.factor} different articles"
    )
    notes.append("derived questions about copies are out of scope for 1x (not scored there)")
    print_scale([("1x (real)", None, real), (f"{built.factor}x", built, big)], notes)


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        type=Path,
        metavar="FILE.yaml",
        help="question sets (default: every knowledge/eval/*.yaml)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a fast run: 10x scale, one repetition, 3 cold starts"
    )
    parser.add_argument("--factor", type=int, help="synthetic size (default 100, quick 10)")
    parser.add_argument("--repeats", type=int, help="runs per question in part 1 (default 5)")
    parser.add_argument("--cold-runs", type=int, help="runs per command in part 2 (default 7)")
    parser.add_argument(
        "--derived-copies", type=int, help="copies whose questions are asked at scale (default 6)"
    )
    parser.add_argument("--parts", default="123", help="which parts to run, e.g. 13")
    parser.add_argument("--build-kb", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-kb", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    quick = args.quick
    if args.factor:
        factors = tuple(f for f in FACTORS if f < args.factor)
        factors = (args.factor, *factors)
    else:
        factors = (10,) if quick else FACTORS
    return Settings(
        sets=args.sets
        or sorted(p for p in (KNOWLEDGE / "eval").glob("*.yaml") if p.name != "floors.yaml"),
        repeats=args.repeats or (1 if quick else 5),
        cold_runs=args.cold_runs or (3 if quick else 7),
        factors=factors,
        derived_copies=args.derived_copies
        if args.derived_copies is not None
        else (1 if quick else 6),
        scale_repeats=1 if quick else 3,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.build_kb:  # child: build a synthetic knowledge base, print what was built
        data = build_child(args.build_kb, args.factor, args.derived_copies or 0)
        print(json.dumps(data, ensure_ascii=False))
        return 0
    if args.measure_kb:  # child: load one knowledge base and time the questions
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        print(json.dumps(measure_knowledge(args.measure_kb, questions, args.repeats or 1)))
        return 0
    settings = settings_from(args)
    parts = {"1": part_accuracy, "2": part_cold, "3": part_scale}
    for key in args.parts:
        parts[key](settings)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
