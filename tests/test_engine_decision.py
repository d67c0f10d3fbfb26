"""The decision (decision.py) on the real knowledge: right answers, honest refusals, small talk,
and an explanation that says why."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("北京有幾所高校？", "92"),  # traditional
        ("北京有九十二所高校吗", "92"),  # Chinese numerals
        ("北京有多少所高效", "92"),  # a one-character typo
        ("北京有多少科研人原", "55万"),
        ("ＶＩＤＵ能生成多长的视频", "16秒"),  # full-width letters
        ("北脑二号是谁研发的", "类脑研究所"),
        ("How many universities are there in Beijing?", "92"),
        ("What is Vidu?", "视频大模型"),
        ("中关村企业在津冀有一万多家分支机构吗", "1万家"),  # 一万多家: figure, "more", measure
        ("肥城让企业免费使用多大面积的研发空间？", "2万平方米"),  # 多大/面积, not 多/大面积
        ("我国研发人员总量在全球排第几？", "首位"),
        ("Vidu今年3月能生成多长的视频？", "8秒"),
        ("那个超大规模智能模型叫什么？", "悟道3.0"),  # the answer line's 一个 is not the article's
        ("推动未来产业创新发展的实施意见是几月份印发的？", "1月"),  # which month, not how many
        ("天坛医院的手术机器人已经用到临床上了吗？", "临床应用"),
        ("清华大学人工智能学院是哪天成立的", "4月27日"),  # a day of the month
        ("我国人才资源总量全球排老几", "首位"),
        ("全国第一份区域创新地图叫什么？", "科技创新服务平台地图"),  # described, then named
        ("ＶＩＤＵ是哪个大学发布的", "清华大学"),
        ("清华大学人工智能研究院的副院长是谁？", "朱军"),
        ("北脑二号是啥玩意儿", "北脑二号"),
        ("三城一区的数据是哪个部门公布的？", "北京市科学技术委员会"),
        ("92所高校说的是哪个城市？", "北京"),  # 北京市 is a city
        ("那张创新地图上一共有多少个平台？", "300余个"),  # 那张创新 is no typo of 张建新
        ("悟道三点零是什么东东", "超大规模智能模型"),
        ("本文作者", "于心月"),
        ("这篇报道的主标题是什么？", "第一动力"),  # about the article, not about the bot
        ("这篇文章的作者是谁", "于心月"),
        ("北恼二号是谁搞出来的", "脑科学"),
        ("天津那个滨海中关村园子进了几家高新企业", "193"),
        ("姚智得过什么大奖", "图灵奖"),
        ("vidu多长", "16秒"),  # only the 16秒 sentence gives a length
        ("Vidu是由哪所大学联合企业发布的？", "清华大学"),  # the 大学 is named, the 企业 not
        ("首都真的有五十五万科研人员吗", "55万"),
        ("河北雄安中关村科技园一期的入驻率有多高？", "90%"),
        ("卫星那张照片谁拍的", "张建新"),  # who took it, not a thing called 拍
        ("我国首款获批上市的血管介入手术机器人出自哪家医院的团队？", "天坛医院"),
        ("經開區產業園裡有晶片、軟體相關的企業嗎？", "高性能芯片"),  # Taiwan wording
        ("how many seconds could vidu generate back in march", "8秒"),
        ("How many national high-tech enterprises are in the Tianjin Binhai-Zhongguancun "
         "Science Park?", "193"),
        ("北京在推进三城一区布局，我想知道三城的科研成果在一区转化落地的情况，"
         "2023年的数字和前一年相比变化有多大？", "翻了一番"),  # a lead-in, then the question
        ("肥城免费给企业的研发空间有两万平米吗", "2万平方米"),
        ("照片里的工作人员在检测什么部件？", "姿控组件"),  # an instance of the kind asked
        ("罗敏说未来产业是咋回事儿", "只争朝夕"),
        ("清华大学今年是建校多少周年？", "113"),
        ("京津冀国家高新区连盟首批是九大高新区吗", "9大高新区"),  # 九大 is 9大
        ("深圳农业基因组研究所有几个人进了全球顶尖科学家榜单？", "7人"),  # 几个/人/进, not 人进
        ("肥城让企业免费使用多少研发空间？", "2万平方米"),  # a count in square metres
        ("谁谈到京津冀正在从「破藩篱」向「建生态」转变？", "解敏"),
        ("工业机器人「关节」部件的个头大概多大？", "15厘米"),
        ("阮珏在哪个研究所工作？", "深圳农业基因组研究所"),
        ("Vidu演示视频里熊猫在干嘛", "自弹自唱"),
        ("肥城是一个什么级别的城市？", "县级城市"),  # a rank of city, not 千亿级
        ("三城一区里的一区去年接了多少成果", "270"),  # 去年 in a 2024 article is 2023
        ("文章说创新之道在于什么？", "唯在得人"),
        ("Who is the director of the Beijing Institute for Brain Research?", "罗敏"),
    ],
)
def test_variants_are_answered(engine, question: str, expected: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer", reply.text
    assert expected in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "上海有多少所高校？",
        "深圳有多少科研人员？",
        "天津有多少所高校？",
        "清华的学生人数是多少",
        "Vidu 的GPU数量是多少",
        "北京有多少人口？",
        "北京的房价是多少？",
        "今天天气怎么样？",
        "比特币多少钱",
        "What is the weather like today?",
        "悟道2.0是什么？",  # another version of a named model
        "北脑一号是谁研发的？",  # another model, not a typo of 北脑二号
        "Vidu今年5月能生成多长的视频？",  # a month the article does not speak of
        "北京有多少个国家实验室？",  # ranked first, never counted
        "中国农科院作物科学研究所有几人入选顶尖科学家榜单？",  # another institute
        "悟道3.0是谁开发的？",  # its sentence names no one who made it
        "夸父是谁研发的",
        "清华人工智能学院有多少学生",  # 学生 is no typo of 学院
        "2024中关村论坛年会是哪天开幕的？",  # 人工智能主题日 is no day of the month
        "北京和深圳哪个城市的高校更多？",  # no pair of sentences answers a comparison
        "Vidu明年能生成多长的视频？",  # another year than the article's
        "朱军是哪一年出生的？",
        "When was Zhu Jun born?",
        "清华大学人工智能研究院的院长是谁？",  # only its deputy is named
        "北脑二号是和哪家科技企业联合研发的？",  # "联合科技企业": never named
        "天坛医院那台血管介入手术机器人叫什么名字？",  # the robot itself has no name here
        "肥城锂电产业园的首席专家是谁？",  # a post, and no one named in it
        "What is the population of Feicheng?",
        "北京天坛医院院长是谁",  # the post is not in what it quotes
        "京津冀国家高新区联盟是哪一年成立的？",  # no year given, and nothing else answers
        "北京经开区那处产业园叫什么名字？",  # "一处产业园": never named
        "悟道4.0什麼時候發布",  # a version the article never gives
        "夸夫是什么",  # reads like "你是什么", but does not ask about the bot
        "ChatGPT是什么",
    ],
)
def test_questions_the_article_does_not_answer_are_declined(engine, question: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "fallback", reply.text
    assert reply.lead.startswith("抱歉，这篇文章里没有提到")
    assert 1 <= len(reply.suggestions) <= 3
    assert not reply.sources


def test_fallback_suggestions_are_near_the_question(engine) -> None:
    reply = engine.ask("上海有多少所高校？")
    assert any("高校" in s or "大学" in s for s in reply.suggestions), reply.suggestions


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("你好", "greeting"),
        ("谢谢", "thanks"),
        ("你是谁", "who_are_you"),
        ("你是什么", "who_are_you"),
        ("怎么用", "help"),
        ("what can you do", "help"),
    ],
)
def test_small_talk(engine, question: str, intent: str) -> None:
    reply = engine.ask(question)
    assert reply.kind == "smalltalk"
    assert reply.intent == intent
    assert not reply.sources


def test_greeting_with_a_question_answers_the_question(engine) -> None:
    reply = engine.ask("你好，北京有多少所高校？")
    assert reply.kind == "answer" and "92" in reply.text


def test_explain_says_why(engine) -> None:
    declined = engine.ask("上海有多少所高校？", explain=True).explanation
    assert declined["normalised"] == "上海有多少所高校"
    assert "上海/entity" in declined["tokens"]
    assert "上海" in declined["decision"]
    answered = engine.ask("北京有多少所高校？", explain=True).explanation
    assert answered["decision"].startswith("answer: intent:")
    assert answered["candidates"][0]["admissible"] is True


def test_a_question_about_two_things_is_answered_by_two_candidates(engine) -> None:
    reply = engine.ask("天津滨海和雄安分别入驻了多少家企业", explain=True)
    assert reply.kind == "answer", reply.text
    assert " with " in reply.explanation["decision"]
    assert len(reply.sources) == 2


def test_no_content_words_asks_for_a_question(engine) -> None:
    from bot.engine.replies import NO_QUESTION

    reply = engine.ask("是什么")
    assert reply.kind == "fallback" and reply.lead == NO_QUESTION
    assert reply.suggestions


def test_a_description_is_named_by_the_sentence_beside_the_one_it_describes(engine) -> None:
    # The look of the part is one sentence, its name the next one of the same paragraph.
    reply = engine.ask("工业机器人里那个黑乎乎的圆盒子，学名是什么")
    assert reply.kind == "answer" and "RV减速机" in reply.text


def test_a_full_name_asked_is_a_name_asked(engine) -> None:
    reply = engine.ask("“三城一区”的一区，全名叫什么")
    assert reply.kind == "answer" and "创新型产业集群示范区" in reply.text


def test_a_place_found_only_inside_a_longer_name_is_not_covered(engine) -> None:
    # The sentence lists 武汉大学 among the bodies the doctors come from: nothing of 武汉.
    assert engine.ask("武汉那边有多少博士常驻").kind != "answer"
    assert engine.ask("武汉有多少家科研院所").kind != "answer"
    assert engine.ask("肥城有多少博士常驻").kind == "answer"


def test_a_title_asked_by_name_is_its_own_text(engine) -> None:
    reply = engine.ask("报道主标题叫什么名字")
    assert reply.kind == "answer" and "第一动力" in reply.text


@pytest.mark.parametrize(
    ("question", "length"),
    [
        ("How long are the videos Vidu makes?", "16秒"),  # no time: how things stand now
        ("Vidu今年3月能生成多长的视频", "8秒"),  # the time asked: the state then
        ("How long could Vidu videos be in March?", "8秒"),
    ],
)
def test_a_question_that_names_no_time_gets_the_present_state(
    engine, question: str, length: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and length in reply.lead


@pytest.mark.parametrize(
    "question", ["What's a good recipe for dumplings?", "Can you play chess with me?"]
)
def test_an_english_question_naming_nothing_of_the_article_is_declined(
    engine, question: str
) -> None:
    # "good" is a word of one example; recipe and dumplings are words the knowledge never uses
    assert engine.ask(question).kind == "fallback"


def test_an_english_question_naming_the_article_still_answers(engine) -> None:
    reply = engine.ask("How many PhD holders work at the Feicheng lithium battery park?")
    assert reply.kind == "answer" and "26名" in reply.text


def test_a_yes_no_question_ending_in_bu_asks_its_predicate(engine) -> None:
    # 明天bj下雨不: "will it rain" is asked; the article says nothing of the weather
    assert engine.ask("明天bj下雨不").kind == "fallback"
    assert engine.ask("bj有多少所高校").kind == "answer"


def test_an_english_greeting_before_a_question_does_not_make_it_small_talk(engine) -> None:
    reply = engine.ask("hey whats the title of this article")
    assert reply.kind == "answer" and "第一动力" in reply.text


def test_a_count_before_a_frame_word_is_still_a_count(engine) -> None:
    # 国家实验室一共有几个: the article ranks Beijing's labs first, and counts none
    assert engine.ask("北京的国家实验室一共有几个").kind != "answer"


def test_two_close_candidates_naming_the_same_person_asked_for_answer(engine) -> None:
    reply = engine.ask("觉得看着是一个月其实靠二十多年积累的那位清华副院长叫什么")
    assert reply.kind == "answer" and "朱军" in reply.text


@pytest.mark.parametrize("question", ["谢谢机器人，说得很清楚👍", "早上好！我是做锂电池的工程师～"])
def test_thanks_and_greetings_with_a_remark_are_small_talk(engine, question: str) -> None:
    assert engine.ask(question).kind == "smalltalk"


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("那个北脑二号已经用在病人身上了吧", "北脑二号"),
        ("姚智院士是清华的老校友吧", "姚智"),
        ("听说Vidu已经开放给普通用户免费用了，真的吗", "Vidu"),
    ],
)
def test_a_claim_the_article_leaves_open_shows_what_it_says_of_the_thing(
    engine, question: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "fallback" and reply.verdict == "unstated"
    assert reply.lead == "文章没有说这一点。它说的是：" and quoted in reply.sources[0].quote


def test_a_claim_about_a_thing_the_article_does_not_name_is_plainly_declined(engine) -> None:
    reply = engine.ask("上海的量子计算云平台已经免费开放了吧")
    assert reply.kind == "fallback" and reply.verdict != "unstated"


def test_of_close_candidates_the_one_whose_line_checks_the_claimed_figure_answers(engine) -> None:
    reply = engine.ask("早上好☀️ 我同事说北京的科研人员有一百万人，真有这么多？")
    assert reply.kind == "answer" and reply.verdict == "no" and "55万" in reply.text


def test_we_here_is_the_site_the_asking_clause_names(engine) -> None:
    reply = engine.ask(
        "👀 我在天津滨海新区工作，我们这的滨海—中关村科技园进了多少家国家高新技术企业？"
    )
    assert reply.kind == "answer" and "193家" in reply.text


def test_a_weak_sentence_still_shows_what_the_article_says_of_a_claimed_thing(engine) -> None:
    # 本科生 is the tagger's guess at a name, part of the predicate; 清华人工智能学院 is named
    reply = engine.ask("清华人工智能学院每年招200名本科生，对吧")
    assert reply.kind == "fallback" and reply.verdict == "unstated"
    assert "人工智能学院" in reply.sources[0].quote
