"""The cleaned article against the raw page: nothing lost, nothing invented, paragraphs rejoined."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.article_load import load_article
from bot.kb.provenance import check_article

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
SOURCE = KNOWLEDGE / "sources" / "bj"


@pytest.fixture(scope="module")
def article():
    return load_article(SOURCE / "article.yaml")


def test_raw_text_is_the_seed_byte_for_byte() -> None:
    seed = KNOWLEDGE.parent.parent / "shared" / "seed" / "article.txt"
    if not seed.exists():
        pytest.skip("the shared seed is not beside this checkout")
    assert (SOURCE / "raw.txt").read_bytes() == seed.read_bytes()


def test_every_raw_character_is_accounted_for_once(article) -> None:
    """The package's own proof (what `factbot check` runs): the cleaned pieces tile the raw
    text, whitespace aside, each used once, none left over."""
    assert check_article(article) == []


def test_only_documented_drops(article) -> None:
    drops = [f.text for f in article.fragments if f.dropped]
    assert drops == ["势。"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("目前，这台机器人已在北", "京天坛医院进行临床应用"),
        ("这款视频大模型", "就实现技术上的新突破。"),
        ("百余所", "高校和百家企业参与"),
        ("一头是成", "果转化的终点站。"),
        ("向摆线齿轮制造工艺这一技术共同", "发起挑战。"),
        ("在布局新质生产力中迸发比较", "优势，携手前行。"),
        ("京津冀三地哪里有创新平台？哪里", "有创业服务？"),
    ],
)
def test_column_breaks_are_rejoined(article, before: str, after: str) -> None:
    texts = [p.text for p in article.paragraphs()]
    assert any(before + after in text for text in texts), f"{before}|{after} not rejoined"


def test_sections_in_reading_order(article) -> None:
    assert [s.name for s in article.sections[:4]] == [
        "写在前面",
        "1个月实现自主研发新突破",
        "1张地图汇聚3地资源",
        "校企携手研发核心部件",
    ]
    first = article.section("s1").paragraphs[0].text
    assert first.startswith("“一间古色古香的海边小屋")
    assert article.section("s3").paragraphs[0].text.startswith("机器人手臂上下摆动")


def test_metadata_is_what_the_page_prints(article) -> None:
    assert article.title == "感悟高质量发展的“第一动力”"
    assert article.meta["column"] == "新质生产力发展面面观①"
    assert article.meta["byline"] == "■本报记者 于心月"
    assert article.meta["subtitle"] == "——从北京打造国际科技创新中心看创新发展新动能"


def test_sidebar_photo_and_data_box(article) -> None:
    sidebar = [s for s in article.sections if s.box == "相关链接"]
    assert [s.name for s in sidebar[1:]] == [
        "稳定支持，科研人才坐稳“冷板凳”",
        "搭建平台，创新人才落地生根",
        "面向未来，青年人才提前布局",
    ]
    assert article.section("photo").heading == "「像生产汽车一样生产卫星」"
    data = [s for s in article.sections if s.box == "数说"]
    assert [s.heading for s in data] == [
        "深化创新资源共享",
        "聚力打造科技园区",
        "聚焦科技成果转化",
        "强化“北京研发，津冀制造”模式：",
    ]
    assert {s.scope for s in data} == {"截至2023年底"}
    assert [len(s.paragraphs) for s in data] == [3, 3, 1, 2]


def test_locators_read_as_a_person_would(article) -> None:
    paragraph = article.section("s1").paragraphs[2]
    assert (
        article.locator(paragraph)
        == "《感悟高质量发展的“第一动力”》· 1个月实现自主研发新突破 · 第3段"
    )
    item = article.section("data2").paragraphs[2]
    assert article.locator(item) == (
        "《感悟高质量发展的“第一动力”》· 数说 · 聚力打造科技园区（截至2023年底） · 第3项"
    )
