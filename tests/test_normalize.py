"""Normalisation folds what users type into one comparable form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.normalize import normalize
from bot.engine.numerals import fold_numerals


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("北京國際科技創新中心", "北京国际科技创新中心"),
        ("ＲＶ減速機是什麼？？？", "rv减速机是什么"),
        ("北京有多少所高校啊？？？😀", "北京有多少所高校啊"),
        ("  Vidu  ", "vidu"),
        ("@factbot_bot 北京有幾所高校", "北京有几所高校"),
        ("天津滨海—中关村科技园", "天津滨海中关村科技园"),
        ("保定·中关村创新中心", "保定中关村创新中心"),
        ("悟道3.0", "悟道3.0"),
        ("a\u200bb\u0000c", "abc"),
        ("<b>北京</b>", "b 北京 b"),
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize(typed, "factbot_bot") == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("三百六十二家", "362家"),
        ("两百例", "200例"),
        ("北脑二号", "北脑2号"),
        ("五十五万余名", "55万余名"),
        ("一千一百五十五家", "1155家"),
        ("二零二三年", "2023年"),
        ("十项", "10项"),
        ("一个月", "1个月"),
        ("三分之一", "三分之一"),
        ("万人发明专利", "万人发明专利"),
        ("千年古都", "千年古都"),
        ("统一", "统一"),
    ],
)
def test_chinese_numerals_become_digits_only_as_quantities(typed: str, expected: str) -> None:
    assert fold_numerals(typed) == expected


@given(st.text(max_size=200))
def test_normalize_is_idempotent_and_never_fails(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("rolled out in May", "rolled out in 5月"),
        ("videos in March", "videos in 3月"),
        ("Sept. 2023", "9月 2023"),
        ("May I ask who you are", "may i ask who you are"),  # a verb, not the month
        ("Marathon", "marathon"),
    ],
)
def test_english_months_are_the_articles_months(text: str, folded: str) -> None:
    assert normalize(text) == folded
    assert normalize(normalize(text)) == folded


@pytest.mark.parametrize(
    ("text", "expected"),
    [("比22年翻番了", "比2022年翻番了"), ("23年北京有多少高校", "2023年北京有多少高校"),
     ("用了22年", "用了22年"), ("22年前", "22年前")],
)
def test_a_two_digit_year_is_read_only_where_it_dates(text: str, expected: str) -> None:
    assert normalize(text) == expected
