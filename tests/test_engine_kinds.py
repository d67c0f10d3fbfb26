"""Names of the same kind, told by their head (kinds.py)."""

from __future__ import annotations

import pytest

from bot.engine.kinds import head_shared


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("诺贝尔奖", "图灵奖", True),  # one noun character as head, both names long enough
        ("亦庄科学城", "怀柔科学城", True),
        ("复旦大学", "清华大学", True),
        ("医学", "科学", False),  # a one-character head of two-character words: no kind
        ("科学城", "怀柔科学城", False),  # one inside the other is the same name, shortened
        ("上海", "北京", False),
        ("图灵奖", "图灵奖", False),
    ],
)
def test_two_names_are_of_a_kind_when_they_share_a_head(a: str, b: str, same: bool) -> None:
    assert head_shared(a, b) is same


def test_a_name_shortened_is_the_same_name() -> None:
    assert not head_shared("清华人工智能学院", "清华大学人工智能学院")
    assert not head_shared("北大", "北京大学")
