"""A second article dropped into knowledge/sources/ is built, namespaced and answered from,
without any intents for it, and cited with its own title."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

SECOND = """滨河社区图书馆延长开放时间
滨河社区图书馆从今年9月起把每天的开放时间延长到晚上10点，周末也照常开放。
馆长陈晓岚介绍，图书馆现有藏书4.2万册，其中儿童读物约1.1万册。
图书馆还开设了每周三晚上的读书分享会，平均每场有30多位居民参加。
"""


def _ask(knowledge: Path, question: str) -> dict:
    result = run_cli("--knowledge", str(knowledge), "ask", "--json", question)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_second_article_is_built_namespaced_and_cited(knowledge_copy: Path) -> None:
    (knowledge_copy / "sources" / "library.txt").write_text(SECOND, encoding="utf-8")

    stale = run_cli("--knowledge", str(knowledge_copy), "check")
    assert stale.returncode == 1 and "facts.yaml is stale" in stale.stderr

    built = run_cli("--knowledge", str(knowledge_copy), "build")
    assert built.returncode == 0, built.stderr
    facts = (knowledge_copy / "facts.yaml").read_text(encoding="utf-8")
    assert "- id: library.body." in facts
    assert "- id: bj.intro." in facts  # the first article's facts are still there

    checked = run_cli("--knowledge", str(knowledge_copy), "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("knowledge OK: 2 article(s)")

    reply = _ask(knowledge_copy, "滨河社区图书馆有多少册藏书？")
    assert reply["kind"] == "answer"
    assert "4.2万册" in reply["text"]
    [source] = reply["sources"]
    assert source["article"] == "滨河社区图书馆延长开放时间"
    assert source["paragraph"] == 2
    assert "来源：《滨河社区图书馆延长开放时间》· 正文 · 第2段" in reply["text"]

    first = _ask(knowledge_copy, "北京有多少所高校？")
    assert first["kind"] == "answer" and "92" in first["text"]
    assert all(s["article"] == "感悟高质量发展的“第一动力”" for s in first["sources"])

    declined = _ask(knowledge_copy, "滨河社区图书馆的馆长多大年纪？")
    assert declined["kind"] != "answer"
