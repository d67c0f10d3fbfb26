"""Claims asked in English (english_claims.py): yes/no questions get a verdict like Chinese ones."""

from __future__ import annotations

import pytest

from bot.engine.english_claims import english_claim, english_figures


def test_a_yes_no_question_is_a_claim_and_a_request_is_not() -> None:
    assert english_claim("Is Vidu able to make 16-second clips?")
    assert english_claim("Did the robot really do 200 operations?")
    assert not english_claim("Can you tell me how long Vidu clips are?")
    assert not english_claim("How many universities does Beijing have?")


def test_figures_are_read_in_the_chinese_sides_units() -> None:
    [minute] = english_figures("Can it make a one-minute video?")
    assert (minute.low, minute.high, minute.unit) == (60, 60, "秒")
    [count] = english_figures("Are there about 90 universities?")
    assert count.unit == "所" and count.low < 90 < count.high
    # the span that says which thing is meant is no claim; a bare number is none either,
    # but a year is (checked against the article's, 去年 being 2023)
    [year] = english_figures("Did it go from 8 to 16 seconds in 2024?")
    assert (year.low, year.unit) == (2024, "年份")
    assert english_figures("Did it go from 8 to 16 seconds?") == ()


@pytest.mark.parametrize(
    ("question", "verdict", "quoted"),
    [
        ("Can Vidu generate a one-minute clip?", "no", "16秒"),
        ("Does Beijing have 92 universities?", "yes", "92所"),
        ("Does Beijing have around 150 universities?", "no", "92所"),
        ("Did Vidu go from 8 to 16 seconds in just one month?", "yes", "1个月"),
        ("Was the surgical robot approved back in 2022?", "no", "去年3月"),  # 去年 is 2023
        ("Was the vascular surgery robot approved in 2023?", "yes", "去年3月"),
    ],
)
def test_an_english_claim_is_answered_with_its_verdict(
    engine, question: str, verdict: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == verdict, reply.text
    assert reply.lead.startswith("对，" if verdict == "yes" else "不对，")
    assert quoted in reply.text


def test_an_english_question_that_asks_for_a_thing_has_no_verdict(engine) -> None:
    reply = engine.ask("How many universities does Beijing have?")
    assert reply.kind == "answer" and reply.verdict is None
