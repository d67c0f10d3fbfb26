"""Splitting Chinese paragraphs into sentences, the unit of a fact and of a quote."""

from __future__ import annotations

_ENDS = "。！？!?"
_OPEN = "“‘「『（("
_CLOSE = "”’」』）)"
_MIN_SENTENCE = 8  # shorter pieces ("赵弘说。") are attributions that belong to the sentence before
_SPEECH = ("说。", "表示。", "介绍。", "指出。", "认为。", "强调。")


def _is_attribution(sentence: str) -> bool:
    """ "…所长罗敏说。" after a quotation names its speaker: it belongs with the quotation."""
    stripped = sentence.strip()
    return len(stripped) <= 24 and stripped.endswith(_SPEECH)


def split_sentences(text: str) -> list[str]:
    """Split at sentence-ending punctuation outside quotation marks.

    Closing quotes and brackets after the stop stay with the sentence. Unbalanced closing marks
    (the page has a few) never make the depth negative. Three kinds of piece are merged into the
    one before, so that every fact stands on its own: very short pieces, a speaker's attribution
    after a quotation ("…”罗敏说。"), and what follows a rhetorical question.
    """
    sentences: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _ENDS and depth == 0:
            j = i + 1
            while j < n and (text[j] in _ENDS or text[j] in _CLOSE):
                j += 1
            sentences.append(text[start:j])
            start = i = j
            continue
        i += 1
        if ch in _ENDS and depth > 0 and i < n and text[i] in _CLOSE and depth == 1:
            # "…。”" closes a quoted sentence: split after the closing mark.
            depth = 0
            j = i + 1
            while j < n and text[j] in _CLOSE:
                j += 1
            sentences.append(text[start:j])
            start = i = j
    if start < n and text[start:].strip():
        sentences.append(text[start:])
    merged: list[str] = []
    for sentence in sentences:
        if merged and (
            len(sentence.strip()) < _MIN_SENTENCE
            or merged[-1].rstrip().endswith(("？", "?"))
            or (merged[-1].rstrip()[-1:] in _CLOSE and _is_attribution(sentence))
        ):
            merged[-1] += sentence
        else:
            merged.append(sentence)
    if len(merged) > 1 and len(merged[0].strip()) < _MIN_SENTENCE:
        merged[1] = merged[0] + merged[1]
        merged.pop(0)
    return merged
