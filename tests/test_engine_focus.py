"""Finding the clause that asks (focus.py), and what the clauses around it may and may not do
to an answer (question.py reads them, coverage.py weighs them)."""

from __future__ import annotations

import pytest

from bot.engine.focus import ClauseWords, read_focus, split_clauses
from bot.engine.question import read

WORDS = ClauseWords(
    remark=frozenset({"我", "朋友"}),
    claim=frozenset({"说", "好像", "记得"}),
    tags=frozenset({"对吗", "是吗", "没错吧"}),
    deixis=frozenset({"那边"}),
    topic=frozenset({"说到"}),
)


def test_clauses_end_at_punctuation_emoji_and_spaces_between_chinese() -> None:
    assert split_clauses("早上刷到这篇😂 我老家保定的，想问下手术做了多少例？") == [
        "早上刷到这篇",
        "我老家保定的",
        "想问下手术做了多少例",
    ]
    assert split_clauses("How long can Vidu make clips?") == ["How long can Vidu make clips"]


def test_the_last_clause_with_a_question_word_asks() -> None:
    focus = read_focus("我老家保定的，那个机器人做了多少例手术来着？我朋友说上千了", WORDS)
    assert focus.asking_text == "那个机器人做了多少例手术来着"
    assert [c.role for c in focus.clauses] == ["remark", "ask", "claim"]
    assert focus.claims == ("我朋友说上千了",)
    assert not focus.is_claim


def test_a_confirming_tag_makes_the_clause_before_it_a_claim() -> None:
    focus = read_focus("北京有1000多所科研院所，是吗？", WORDS)
    assert focus.asking_text == "北京有1000多所科研院所"
    assert focus.tagged and focus.is_claim and not focus.several


@pytest.mark.parametrize(
    "statement", ["Vidu能生成30秒的视频", "北京有100所高校对吧", "姚智是院长吗"]
)
def test_statements_and_yes_no_questions_are_claims(statement: str) -> None:
    assert read_focus(statement, WORDS).is_claim


def test_a_question_word_ending_in_me_is_no_yes_no_question() -> None:
    assert not read_focus("科技创新是发展新质生产力的什么", WORDS).is_claim


def test_pointing_back_at_a_place_is_noticed() -> None:
    assert read_focus("我在上海读书，那边有多少所高校", WORDS).deictic


def test_places_and_figures_of_a_remark_do_not_veto(engine) -> None:
    question = read(engine.index, "哈喽，我老家在上海，我朋友说上千了。北京有多少所高校？")
    assert "上海" in question.exempt
    assert "北京" not in question.exempt  # the asking clause's own name counts in full
    reply = engine.ask("哈喽～我上周刚去了趟上海张江，感觉那边挺卷的😂 话说北京到底有几所高校啊？")
    assert reply.kind == "answer" and "92所高校" in reply.text


def test_a_place_the_asking_clause_names_still_vetoes(engine) -> None:
    assert engine.ask("早上好，我在上海读书，上海有多少所高校啊？").kind != "answer"
    assert engine.ask("说到上海，有多少所高校？").kind != "answer"  # a topic, not a remark
    assert engine.ask("我在上海读书，那边有多少所高校？").kind != "answer"  # pointed back at


def test_a_clause_that_asks_of_the_ones_before_it_is_not_alone(engine) -> None:
    assert engine.ask("清华人工智能学院和北大的比，哪个更厉害？").kind != "answer"


def test_only_sentences_that_ask_are_answered_one_by_one(engine) -> None:
    reply = engine.ask("哎，我同事说朱军团队搞生成式AI才三五年，我不信。他们到底研究多久了？")
    assert reply.kind == "answer" and "20余年" in reply.text


@pytest.mark.parametrize(
    ("message", "item"),
    [
        ("晚安，明天再聊", "bye"),  # 明天 is the article's word, but nothing is asked
        ("好的谢谢，先这样吧拜拜", "bye"),  # a goodbye never gets a fact
        ("Hi, who are you and what can you do?", "help"),
    ],
)
def test_a_message_of_small_talk_clauses_is_small_talk(engine, message: str, item: str) -> None:
    reply = engine.ask(message)
    assert reply.kind == "smalltalk" and reply.intent == item and not reply.sources


def test_small_talk_before_a_question_does_not_hide_it(engine) -> None:
    reply = engine.ask("谢谢，那Vidu能生成多长的视频？")
    assert reply.kind == "answer" and "16秒" in reply.text


def test_a_question_to_the_room_after_the_question_is_chat(engine) -> None:
    # "有人知道吗" names nothing: the clause before it is the question.
    reply = engine.ask("RV减速机占机器人成本多少啊，有人知道吗")
    assert reply.kind == "answer" and "三分之一" in reply.text
    # but an elliptical question after a clause that names the thing still asks
    assert engine.ask("清华又成立新学院了？什么时候成立的").kind == "answer"


def test_a_question_inside_do_you_know_is_no_claim(engine) -> None:
    reply = engine.ask("有谁知道北京有多少所高校吗")
    assert reply.kind == "answer" and reply.verdict is None and "92所" in reply.text


def test_colloquial_question_words_and_a_colon_end_a_clause(engine) -> None:
    what = engine.ask("下班了好累 话说那个夸父到底是干嘛的")
    assert what.kind == "answer" and what.verdict is None  # 干嘛 asks; it claims nothing
    reply = engine.ask("求解答：北脑二号是啥")  # 求解答 is a clause of its own: chat
    assert reply.kind == "answer" and "北脑二号" in reply.text


def test_their_that_is_a_determiner_not_a_place_pointed_back_at(engine) -> None:
    # 他们那个战略目标: 泰安 of the remark is where the writer comes from, not what is asked
    reply = engine.ask("我老家泰安的 听说肥城在猛搞锂电 他们那个战略目标是啥来着")
    assert reply.kind == "answer" and "泰山锂谷" in reply.text


def test_a_clause_asking_how_the_article_explains_it_asks_of_the_clause_before(engine) -> None:
    reply = engine.ask("班主任一枚，学生问Vidu一个月从8秒到16秒凭啥这么快，文章怎么解释的")
    assert reply.kind == "answer" and "长期科研积累" in reply.text


def test_it_in_the_asking_clause_is_the_name_the_clause_before_gives(engine) -> None:
    # 它 is 北脑二号, named in a remark; Vidu's launch is another thing's
    reply = engine.ask("朋友圈有人转发北脑二号填补了技术空白，它是在哪个活动上发布的？")
    assert reply.kind == "answer" and "北脑二号" in reply.text and "开幕式" in reply.text
