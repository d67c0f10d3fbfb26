"""What a follow-up stands for (bot/engine/followup.py), as the conversation's replies show it."""

from __future__ import annotations

from tests.test_context import answered, talk


def test_a_pronoun_never_stands_for_a_name_the_message_gives_itself(engine) -> None:
    (_, only), context = talk(engine, "北京国际科创中心建设的主阵地是哪", "它只在北京发展吗")
    assert answered(only, "早已走出北京")  # 它 is 中关村, not 北京 (北京只在北京)
    assert ("中关村", "place") in context.topic


def test_he_stands_for_the_person_never_for_the_body_he_works_at(engine) -> None:
    (_, field), context = talk(engine, "阮珏是谁", "他研究什么方向")
    assert field.kind == "fallback"  # not what 深圳农业基因组研究所 achieved
    assert ("阮珏", "person") in context.topic


def test_a_demonstrative_before_a_name_of_the_article_points_at_that_name(engine) -> None:
    (_, project), _ = talk(
        engine, "京津冀科技创新服务提供机构目录涵盖多少家单位", "那个协同创新推动专项呢，立了多少项"
    )
    assert answered(project, "95项")  # not the directory's figures again
    (_, noun), _ = talk(engine, "北脑二号是谁研发的？", "这个研究所的所长是谁？")
    assert answered(noun, "罗敏")  # a noun the last answer's name holds still stands for it


def test_a_word_only_guessed_to_be_a_name_is_no_topic(engine) -> None:
    (_, _, cases), context = talk(
        engine, "那个血管介入手术机器人什么时候获批上市的", "谁批准的", "目前做了多少例"
    )
    assert answered(cases, "近200例")  # not the approval again, read of 血管介入手术机器人 上市
    assert "上市" not in dict(context.topic)  # 上市 reads as a place to the segmenter


def test_words_pointing_at_the_passage_stand_for_the_box_it_stands_in(engine) -> None:
    (_, source), _ = talk(engine, "肥城常驻多少博士", "这部分的来源是哪")
    assert answered(source, "综合各媒体报道")  # the 相关链接 box's credit line
    (_, chart), _ = talk(engine, "数说里中关村企业在津冀设了多少分支机构", "这段谁做的图")
    assert answered(chart, "王秋爽")
    (_, body), _ = talk(engine, "Vidu是谁发布的", "这段消息可靠吗")
    assert body.kind == "fallback"  # the running text is in no box


def test_a_pronoun_read_elsewhere_alone_is_read_after_the_last_question(engine) -> None:
    (_, _, origin), _ = talk(engine, "肥城常驻多少博士啊", "硕士呢", "他们都是从哪来的")
    assert answered(origin, "山东大学")  # not the sidebar's 综合各媒体报道
