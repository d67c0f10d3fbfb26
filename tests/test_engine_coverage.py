"""Which uncovered words veto a candidate (coverage.py): names and words the knowledge never
uses do; words that frame the message, and English words of a Chinese sentence, are weighed."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("哇塞Vidu能生成多长的视频", "16秒"),  # an interjection is no subject
        ("卧槽，北京有多少所高校", "92所"),
        ("北京研发津冀制造那个模式，原话怎么说", "津冀制造"),  # asks for the quote itself
        # English words written in lower case in a Chinese question are words, not names
        ("解敏说京津冀从破藩篱shift到什么", "建生态"),
        ("那个刀具把cost降了多少", "三分之二"),
    ],
)
def test_words_that_frame_the_question_do_not_decline_it(
    engine, question: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer"
    assert quoted in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "北京有多少starbucks",  # the thing asked, in English, is still what must be covered
        "北京的GDP是多少",  # capitals: a name
        "上海有多少所高校",
        "哇塞，天津有多少科研人员",
    ],
)
def test_a_thing_the_article_does_not_name_is_still_declined(engine, question: str) -> None:
    assert engine.ask(question).kind != "answer"
