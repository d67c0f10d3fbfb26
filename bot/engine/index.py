"""The searchable form of the knowledge: analysed facts, intents and small talk, plus an inverted
index so a question is only scored against candidates that share a word or a character pair."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.engine.analysis import Analyzer, Token
from bot.engine.focus import ClauseWords
from bot.engine.normalize import normalize
from bot.engine.surfaces import ENGLISH_STOPWORDS, build_canonical, build_glossary
from bot.kb.facts import Fact
from bot.kb.store import Intent, Knowledge, SmallTalk

_ASCII_STOP = re.compile(r"\b(?:" + "|".join(ENGLISH_STOPWORDS) + r")\b")


def resemblance_form(folded: str) -> str:
    """The string compared for resemblance: English function words say little, drop them."""
    return " ".join(_ASCII_STOP.sub(" ", folded).split())


_NO_WORDS: frozenset[str] = frozenset()


def bigrams(text: str) -> set[str]:
    compact = text.replace(" ", "")
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


@dataclass(slots=True)
class Example:
    text: str
    normalised: str  # whole normalised question, question words included
    tokens: tuple[Token, ...]


@dataclass
class Candidate:
    """Something that can answer: a curated intent, or a fact no intent leads to."""

    key: str  # "intent:<id>" or "fact:<id>"
    facts: tuple[Fact, ...]
    intent: Intent | None
    vocab: frozenset[str] | set[str]  # every token it covers (examples, answer, facts, their
    # paragraphs); only until the postings are built, then emptied: the texts hold it all
    examples: list[Example] = field(default_factory=list)
    focus: frozenset[str] | set[str] = field(default_factory=set)  # examples, answer, facts
    focus_text: str = ""
    plain_text: str = ""  # its facts normalised but not folded: 山东省 is still 山东省 here
    quoted_text: str = ""  # only what it quotes: its facts and their paragraphs (no examples)
    # Each example word -> (example number, its weight there), and each example's total weight:
    # made the first time the candidate is scored (scoring.py), so a question looks up its own
    # few words rather than every word of every example.
    example_words: dict[str, list[tuple[int, float]]] | None = None
    example_totals: tuple[float, ...] = ()

    @property
    def id(self) -> str:
        return self.intent.id if self.intent else self.facts[0].id

    @cached_property
    def text(self) -> str:
        """Folded, space-free text of all it covers, for substring and typo checks. Made on
        first use: made for every candidate up front, it would double what a large knowledge
        base holds in memory, while a question only ever scores a short list."""
        if self.intent is None:
            return self.quoted_text
        return self.quoted_text + self.focus_text


class Index:
    """Everything the matcher needs, built once at start-up from the knowledge."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        canonical, entity_types = build_canonical(
            ((t.term, t.type, t.aliases) for t in knowledge.terms), knowledge.synonyms
        )
        glossary, glossary_names = build_glossary(knowledge.glossary, canonical)
        self.analyzer = Analyzer(
            canonical=canonical,
            entity_types=entity_types,
            stopwords=knowledge.stopwords,
            frame_words=knowledge.frame_words,
            glossary=glossary,
            glossary_names=glossary_names,
            spelling=frozenset(canonical) | {normalize(w) for w in knowledge.glossary.written},
        )
        self._read_language(knowledge)
        self.fact_tokens: dict[str, list[Token]] = {}
        self.fact_text: dict[str, str] = {}
        for fact in knowledge.facts:
            normalised = normalize(fact.text)
            self.fact_tokens[fact.id] = self.analyzer.tokens(normalised)
            self.fact_text[fact.id] = self.analyzer.fold(normalised).replace(" ", "")
        # Article text as one string: a word "is in the article" if it occurs anywhere in it.
        self.article_text = (
            "\n".join(self.fact_text.values())
            + "\n"
            + "\n".join(self.analyzer.fold(normalize(t)) for t in canonical)
        )
        self.curated_words: set[str] = set()
        self._known: dict[str, bool] = {}
        self._reads: dict[str, tuple[tuple[str, ...], str]] = {}
        self._phrased: dict[str, str] = {}
        self.candidates: list[Candidate] = []
        self._by_token: dict[str, list[int]] = {}
        self._by_bigram: dict[str, list[int]] = {}
        in_intent: set[str] = set()
        for intent in knowledge.intents:
            facts = tuple(knowledge.fact(f) for f in intent.facts)
            in_intent.update(intent.facts)
            self._add(self._intent_candidate(intent, facts))
        for fact in knowledge.facts:
            if fact.id not in in_intent:
                self._add(self._fact_candidate(fact))
        self.curated_words |= set(canonical) | set(canonical.values())
        self._freeze_postings()
        del self._reads  # (only the build reads paragraphs)
        self.analyzer.known = self.known
        # Canonical word -> the ways it is written (高校 -> 高校, 大学, ...), and the names each
        # fact contains, for questions that ask which one: 哪所大学 -> 首都医科大学.
        self.surfaces: dict[str, tuple[str, ...]] = {}
        for surface, word in canonical.items():
            self.surfaces[word] = (*self.surfaces.get(word, (word,)), surface)
        self.fact_names = {
            fact.id: tuple(normalize(name) for name in fact.entities) for fact in knowledge.facts
        }
        # Kind word -> the type of name it asks for (活动 -> event): evidence.has_instance.
        self.kinds = {
            normalize(word): kind for kind, words in knowledge.kinds.items() for word in words
        }
        self.attribute_questions = {
            normalize(word): tuple(e if e.startswith("#") else normalize(e) for e in evidence)
            for word, evidence in knowledge.attribute_questions.items()
        }
        self.smalltalk = {item.id: item for item in knowledge.smalltalk}
        self.smalltalk_candidates = [
            self._smalltalk_candidate(item) for item in knowledge.smalltalk
        ]
        # Words only small talk uses (你好, 谢谢): left out when matching article questions, so
        # "你好，北京有多少所高校" is answered; words the article also uses are kept.
        self.smalltalk_words = {
            tok.text
            for entry in knowledge.smalltalk
            for e in entry.examples
            for tok in self.analyzer.analyse(e)
            if not self.known(tok.text)
        }

    def _read_language(self, knowledge: Knowledge) -> None:
        """The word lists the stages read of language.yaml and terms.yaml, normalised once."""
        words = knowledge.clause_words
        self.clause_words = ClauseWords(
            *(
                words.get(k, frozenset())
                for k in ("remark", "claim", "tags", "deixis", "topic", "audience")
            )
        )
        # words that frame a message rather than name what it asks about (听说, 有人懂吗, 原话):
        # weighed like any word, never a reason to decline
        self.scaffold = frozenset(
            normalize(w)
            for w in (
                *words.get("claim", ()), *words.get("audience", ()),
                *knowledge.followups.get("original", ()),
            )
        )
        # a word a claim may use -> the article's word against it (租金 -> 免费)
        self.opposites = {
            normalize(other): normalize(word)
            for word, others in knowledge.opposites.items()
            for other in others
        }
        self.includes = {
            normalize(t.term): tuple(normalize(p) for p in t.includes)
            for t in knowledge.terms
            if t.includes
        }

    def _context(self, facts: tuple[Fact, ...]) -> tuple[set[str], str]:
        """Tokens and text of the facts' whole paragraphs, locators and section headings: a
        question may name the subject of the sentence before ("纪姝婷团队把成本降低了多少"), or
        the box it stands in (数说 京津冀协同创新发展). A region covers its parts (京津冀: 天津)."""
        vocab: set[str] = set()
        texts: list[str] = []
        for fact in facts:
            article = self.knowledge.article(fact.article)
            paragraph = article.paragraph(fact.paragraph)
            section = article.section(paragraph.section_id)
            extras = [fact.where, paragraph.text, section.heading]
            extras += [p.text for p in section.extras if p.of_box or p.label == "副题"]
            for extra in extras:
                words, folded = self._read(extra)
                vocab.update(words)
                texts.append(folded)
        for region, parts in self.includes.items():
            if region in vocab:
                vocab.update(parts)
                texts.extend(parts)
        return vocab, "".join(texts)

    def _read(self, text: str) -> tuple[tuple[str, ...], str]:
        """Content words and folded text of a paragraph, heading or locator. Every candidate of
        a paragraph reads the same ones: reading each once is most of what loading costs."""
        read = self._reads.get(text)
        if read is None:
            normalised = normalize(text)
            words = tuple(t.text for t in self.analyzer.tokens(normalised) if t.is_content)
            read = self._reads[text] = (words, self.analyzer.fold(normalised).replace(" ", ""))
        return read

    def _paragraph_text(self, fact: Fact) -> str:
        return self.knowledge.article(fact.article).paragraph(fact.paragraph).text

    def _intent_candidate(self, intent: Intent, facts: tuple[Fact, ...]) -> Candidate:
        examples = []
        focus: set[str] = set()
        for text in intent.examples:
            normalised = normalize(text)
            tokens = tuple(self.analyzer.tokens(normalised))
            examples.append(Example(text, resemblance_form(self.analyzer.fold(normalised)), tokens))
            focus.update(t.text for t in tokens if t.is_content)
        answer_norm = normalize(intent.answer + " " + intent.title)
        focus.update(t.text for t in self.analyzer.tokens(answer_norm) if t.is_content)
        for fact in facts:
            focus.update(t.text for t in self.fact_tokens[fact.id] if t.is_content)
        context_vocab, context_text = self._context(facts)
        vocab = focus | context_vocab
        focus_text = (
            "".join(self.fact_text[f.id] for f in facts)
            + self.analyzer.fold(answer_norm).replace(" ", "")
            + "".join(e.normalised.replace(" ", "") for e in examples)
        )
        quoted = "".join(self.fact_text[f.id] for f in facts) + context_text
        plain = "".join(normalize(f.text) for f in facts)
        return Candidate(
            f"intent:{intent.id}",
            facts,
            intent,
            vocab,
            examples,
            focus,
            focus_text,
            plain,
            quoted,
        )

    def _smalltalk_candidate(self, item: SmallTalk) -> Candidate:
        examples = []
        for text in item.examples:
            normalised = normalize(text)
            tokens = tuple(self.analyzer.tokens(normalised))
            examples.append(Example(text, resemblance_form(self.analyzer.fold(normalised)), tokens))
        vocab = {t.text for e in examples for t in e.tokens}
        return Candidate(f"smalltalk:{item.id}", (), None, vocab, examples)

    def _fact_candidate(self, fact: Fact) -> Candidate:
        vocab = {t.text for t in self.fact_tokens[fact.id] if t.is_content}
        context_vocab, context_text = self._context((fact,))
        return Candidate(
            f"fact:{fact.id}",
            (fact,),
            None,
            vocab | context_vocab,
            [],
            vocab,
            self.fact_text[fact.id],
            normalize(fact.text),
            self.fact_text[fact.id] + context_text,
        )

    def _add(self, candidate: Candidate) -> None:
        """Post a new candidate under its words and character pairs, then drop its word sets.

        The sets are needed only here: every word they hold is also in the candidate's texts,
        which the matcher searches. Posting each candidate as it is made, rather than all at
        the end, means only one candidate's sets exist at a time - at a hundred articles' worth
        of knowledge, holding them all at once was the largest part of the memory a load needs.
        """
        number = len(self.candidates)
        self.candidates.append(candidate)
        for token in candidate.vocab:
            self._by_token.setdefault(token, []).append(number)
        # Character pairs of what it quotes only (not its examples or whole paragraphs):
        # enough to reach a typo's candidates, and small at scale.
        for gram in bigrams("".join(self.fact_text[f.id] for f in candidate.facts)):
            self._by_bigram.setdefault(gram, []).append(number)
        self.curated_words |= candidate.focus
        candidate.vocab = candidate.focus = _NO_WORDS

    def _freeze_postings(self) -> None:
        """Token weights (idf), and the postings as tuples (a list keeps spare room)."""
        total = len(self.candidates)
        self.idf = {
            token: math.log(1 + total / (1 + len(posting)))
            for token, posting in self._by_token.items()
        }
        self.max_idf = math.log(1 + total)
        self.by_token: dict[str, tuple[int, ...]] = {}
        self.by_bigram: dict[str, tuple[int, ...]] = {}
        for source, target in ((self._by_token, self.by_token), (self._by_bigram, self.by_bigram)):
            while source:  # one list at a time: the lists and the tuples never both exist whole
                key, posting = source.popitem()
                target[key] = tuple(posting)
        del self._by_token, self._by_bigram

    def phrased(self, fact: Fact) -> str:
        """A fact folded but with its punctuation kept as spaces, made the first time a count
        question needs it (most facts never are: not kept for all of them up front)."""
        text = self._phrased.get(fact.id)
        if text is None:
            text = self._phrased[fact.id] = self.analyzer.fold(normalize(fact.text))
        return text

    def weight(self, token: str) -> float:
        return self.idf.get(token, self.max_idf)

    def known(self, token: str) -> bool:
        """Does the knowledge use this word at all: the article, or a curated example or alias?"""
        answer = self._known.get(token)
        if answer is None:
            answer = self._known[token] = token in self.curated_words or token in self.article_text
            if len(self._known) > 50_000:  # bounded: questions bring ever new words
                self._known.clear()
        return answer


def memo(index: Index, name: str, limit: int = 4096) -> dict:
    """A cache of derived readings kept on the index it is derived from, so it goes with it
    when the knowledge is reloaded; cleared when it reaches `limit` entries (questions vary
    without end)."""
    caches = index.__dict__.setdefault("_memo", {})
    cache = caches.setdefault(name, {})
    if len(cache) >= limit:
        cache.clear()
    return cache
