"""Figures as ranges in comparable units (claims.py), and the claim check after the decision
(verdict.py): the reply says whether the claim holds, and still quotes the article."""

from __future__ import annotations

import pytest

from bot.engine.claims import compare, quantities
from bot.engine.normalize import normalize


@pytest.mark.parametrize(
    ("claim", "stated", "verdict"),
    [
        ("能生成一分钟的视频", "长达16秒的高清视频", "no"),  # 1 minute is 60 seconds
        ("有一百所高校", "北京市拥有92所高校", "no"),
        ("有1000多所科研院所", "1000余所科研院所", "yes"),  # 多 and 余: 1000 to 1999
        ("超过300件", "万人发明专利拥有量超过262件", "no"),
        ("37名博士", "26名博士、37名硕士常驻于此", "no"),  # the figure of the thing claimed
        ("成本占一半左右", "零件成本占机器人总成本近三分之一", "no"),
        ("提高了2到3倍", "生产效率提高2至3倍", "yes"),
        ("才三五年", "已有20余年", "no"),  # 三五年: three to five years
        ("好像是三百多", "注册办公企业362家", "yes"),
        ("上千了", "成功完成手术近200例", "no"),
        ("我猜第一", "数量均位居全国首位", "yes"),
        ("2022年提出的", "基于团队在2022年提出的核心架构", "yes"),
        ("入驻率达到了80%", "园区一期入驻率达90%", "no"),
        ("才几百家", "分支机构数量突破1万家", "no"),  # 几百: 200 to 999
        ("有几千所", "拥有92所高校", "no"),
        ("十几个", "11家中关村集成服务机构", "yes"),  # 十几: 11 to 19
        ("是前年获批的", "去年3月获批上市", "no"),  # years counted from the article's own
        ("今年5月推广", "今年5月推广应用", "yes"),
        ("百亿级的产业集群", "打造千亿级锂电产业集群", "no"),  # a scale against a scale
        ("超过100家企业", "打造千亿级锂电产业集群", None),  # a count is no scale
        # the 16秒 stated is the one the claim repeats: its 10秒 is checked by nothing
        ("那段16秒的视频只用了不到10秒", "能生成长达16秒的高清视频", "unstated"),
        ("从8秒到16秒只用了1个月", "从8秒到16秒的突破只用了1个月时间", "yes"),
    ],
)
def test_a_claimed_figure_is_compared_in_its_unit(
    claim: str, stated: str, verdict: str | None
) -> None:
    assert compare(quantities(normalize(claim)), quantities(normalize(stated))) == verdict


def test_figures_of_other_kinds_are_not_compared() -> None:
    assert compare(quantities("59项"), quantities("长达16秒")) is None
    assert quantities("零件成本") == ()  # 零 of 零件 is no figure
    assert quantities("千年古都") == ()


@pytest.mark.parametrize(
    ("question", "verdict", "quoted"),
    [
        ("Vidu能生成一分钟的视频吗", "no", "16秒"),
        ("北京的高校有一百所吧", "no", "92所"),
        ("北京有1000多所科研院所，是吗？", "yes", "1000余所"),
        ("姚智是副院长对不对", "no", "院长"),
        ("北脑二号是清华大学研发的？", "no", "类脑研究所"),
        ("数说的图表是张建新制作的吧？", "no", "王秋爽"),
        ("保定·中关村创新中心注册了多少家企业？好像是三百多？", "yes", "362家"),
        ("京津冀协同创新推动专项立项支持了多少项课题？我记得是59项", "no", "95项"),
        # a rank after its verb is the value claimed (居 / 排名 / 位列)
        ("我国的研发人员总量在全球排名第三吧", "no", "首位"),
        ("手术机器人是前年获批上市的吗", "no", "去年3月"),
        ("Vidu是清华大学独自发布的吧", "no", "联合"),  # alone, where the quote says with whom
        # a name of the same kind as the quote's (a prize, a university) is corrected
        ("姚智拿过诺贝尔奖对吧", "no", "图灵奖"),
        ("Vidu是复旦大学发布的吗", "no", "清华大学"),
        # a claim that gives a thing's name is checked against the name the article gives
        ("量子计算云平台名叫悟空吧", "no", "夸父"),
        ("量子计算云平台叫夸父吧", "yes", "夸父"),
        ("超大规模智能模型是悟道2.0吗", "no", "悟道3.0"),  # another version of the name
        # a name the quote gives another thing of the same sentence
        ("量子计算云平台名叫悟道对吧", "no", "悟道3.0"),
        ("超大规模智能模型叫悟道3.0对吧", "yes", "悟道3.0"),
        # a place claimed after the verb, where the quote names another
        ("我国首个综合类国家技术创新中心落户长三角，是吗", "no", "京津冀"),
        ("据说北京有102所高校？", "no", "92所"),  # 据说 frames the claim: no word to decline on
        # every sentence the quote joins is checked (今年5月 is the paragraph's next sentence)
        ("手术机器人今年5月要在河北推广吧", "yes", "河北一家医院"),
        # a tag that asks whether the article says so names nothing to look for
        ("群里都在传，说北京万人发明专利超过300件了，文章里是这么说的吗", "no", "262件"),
        ("北京高校有100所，原文是这么写的吗", "no", "92所"),
        # done, where the clause that says it (of 河北, its verb's characters) says 还将
        ("手术机器人是不是已经在河北用上了？", "no", "还将在河北"),
        ("手术机器人已经在天坛医院用上了吧", "yes", "临床应用"),
    ],
)
def test_a_claim_is_answered_with_its_verdict(
    engine, question: str, verdict: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == verdict
    assert reply.lead.startswith("对，文章" if verdict == "yes" else "不对，文章")
    assert quoted in reply.text and reply.sources  # the quote still stands under it


def test_a_question_that_claims_nothing_has_no_verdict(engine) -> None:
    reply = engine.ask("北京有多少所高校？")
    assert reply.kind == "answer" and reply.verdict is None
    assert not reply.lead.startswith(("对，", "不对，"))


def test_a_body_the_article_leaves_unnamed_leaves_the_claim_unstated(engine) -> None:
    reply = engine.ask("Vidu是生数科技发布的吧？")
    assert reply.kind != "answer"
    assert reply.verdict == "unstated" and reply.lead.startswith("文章没有说")
    assert any("一家科技企业" in s.quote for s in reply.sources)


def test_a_wrong_place_in_a_claim_is_still_out_of_scope(engine) -> None:
    assert engine.ask("上海有92所高校吗").kind != "answer"


def test_a_rank_claimed_after_the_question_is_checked(engine) -> None:
    reply = engine.ask("文章说北京国家实验室和大科学装置的数量排全国第几？我猜第一")
    assert reply.kind == "answer" and reply.verdict == "yes" and "全国首位" in reply.text


def test_a_post_claimed_at_another_body_is_corrected(engine) -> None:
    reply = engine.ask("纪姝婷是清华大学的教授吧")
    assert reply.kind == "answer" and reply.verdict == "no" and "北京工业大学" in reply.text


def test_a_figure_beside_the_quote_settles_the_claim_and_is_quoted(engine) -> None:
    reply = engine.ask("RV减速机直径大概20厘米吧")
    assert reply.verdict == "no" and "15厘米左右" in "".join(s.quote for s in reply.sources)


def test_a_month_claimed_as_the_value_is_compared(engine) -> None:
    assert engine.ask("清华人工智能学院是5月成立的吧").verdict == "no"
    assert engine.ask("清华人工智能学院是4月27日成立的吗").verdict == "yes"


def test_haishi_in_a_claim_means_still_and_what_follows_is_claimed(engine) -> None:
    assert engine.ask("RV减速机现在主要还是靠进口对吧").kind != "answer"


def test_counts_in_different_measures_are_not_compared(engine) -> None:
    # 上百所 is checked against 92所高校, not against 超过262件 of the same sentence.
    reply = engine.ask("听说北京有上百所高校？")
    assert reply.verdict == "no" and "92所" in reply.text


def test_a_name_the_quote_leaves_to_the_sentence_before_is_not_contradicted(engine) -> None:
    # The quote says 该学院; the claim names it (清华人工智能学院), as the answer line does.
    assert engine.ask("姚智是清华人工智能学院的首任院长，对吗").verdict == "yes"


def test_a_claim_that_something_is_done_which_the_article_says_is_to_come_is_corrected(
    engine,
) -> None:
    reply = engine.ask("手术机器人已经在河北的医院推广了吧")
    assert reply.kind == "answer" and reply.verdict == "no"
    assert any("还将在河北" in s.quote for s in reply.sources)  # the sentence that says so
    done = engine.ask("手术机器人已经在天坛医院用上了吧")
    assert done.verdict == "yes"


def test_a_name_of_the_same_kind_in_the_subject_is_another_thing_asked_about(engine) -> None:
    """The article names only the hospital where the first such operation was done: of another
    hospital it says nothing, so that is no claim to correct."""
    assert engine.ask("北京协和医院做过机器人辅助全脑血管造影手术吗").kind != "answer"


def test_a_claimed_figure_the_quotes_cannot_check_leaves_the_claim_unstated(engine) -> None:
    reply = engine.ask("微小卫星创新研究院每年能造几百颗卫星吧")
    assert reply.kind != "answer" and reply.verdict == "unstated"
    assert reply.lead.startswith("文章没有说") and reply.sources


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("北京科研人员最多也就二十万人吧", "55万"),  # 最多: at most; 人 and 名 both count people
        ("北京至少有200所高校吧", "92所"),  # 至少: at least
        ("肥城是浙江的一个县级市吧", "山东省"),  # a place in the claim's predicate, another stated
        ("北脑二号是人工智能主题日上发布的吗", "北脑二号"),  # an event for an event
    ],
)
def test_bounds_places_and_events_in_a_claim_are_checked(
    engine, question: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == "no" and quoted in reply.text


def test_a_year_claimed_is_compared_with_one_the_article_counts_from_its_own(engine) -> None:
    # 去年 in the 2024 article is 2023: 2021 does not hold, 2023 does.
    wrong = engine.ask("血管介入手术机器人是2021年获批上市的吧")
    assert wrong.kind == "answer" and wrong.verdict == "no" and "去年3月" in wrong.text
    assert engine.ask("血管介入手术机器人是2023年获批上市的吧").verdict == "yes"


def test_a_claim_about_a_person_is_checked_on_what_is_said_of_them(engine) -> None:
    # The leading sentence is about the 学院's dean and lacks 朱军; the one about 朱军 says
    # he is the 研究院's 副院长: the claim does not hold.
    reply = engine.ask("朱军是不是清华人工智能学院的院长")
    assert reply.kind == "answer" and reply.verdict == "no" and "副院长" in reply.text


@pytest.mark.parametrize(
    ("question", "verdict", "quoted"),
    [
        ("保定中关村创新中心注册的企业都过千家了吧", "no", "362家"),  # 过千: past a thousand
        ("中关村企业在津冀的分支机构已经破1万家了", "yes", "1万家"),  # 破: past it
    ],
)
def test_an_order_of_magnitude_claimed_is_a_bound(
    engine, question: str, verdict: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == verdict and quoted in reply.text


def test_one_before_the_writers_people_is_no_figure_claimed(engine) -> None:
    # 我一个朋友说: "one friend" claims no count of anything; 第一份 is what is checked.
    reply = engine.ask("我一个朋友说京津冀那个创新地图是全国第一份，真的假的")
    assert reply.verdict == "yes" and reply.text.startswith("对，")


def test_every_part_of_a_region_claimed_is_the_region(engine) -> None:
    # 天津 and 河北 together are 津冀; 天津 alone is not 京津冀.
    reply = engine.ask("中关村企业在天津河北设的分支机构已经突破1万家了吧")
    assert reply.verdict == "yes" and "津冀" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "悟道3.0是智源研究院做的对吧",  # the sentence names no maker at all
        "夸父那个量子计算云平台是中科院搞的吧",
        "Vidu是清华跟百度一起发布的吧",  # 一家科技企业: the company is left unnamed
    ],
)
def test_who_made_it_is_unstated_when_the_article_names_no_such_maker(
    engine, question: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "fallback" and reply.verdict == "unstated"
    assert reply.lead.startswith("文章没有说") and reply.sources


def test_a_maker_of_the_kind_the_article_names_otherwise_is_corrected(engine) -> None:
    # 北大 is a university, and the university that released Vidu is 清华大学.
    reply = engine.ask("vidu是北大发布的")
    assert reply.kind == "answer" and reply.verdict == "no" and "清华大学" in reply.text


def test_a_claim_of_a_time_is_checked_against_what_held_then(engine) -> None:
    reply = engine.ask("Vidu三月份就已经能生成16秒视频了是吧")
    assert reply.verdict == "no" and "8秒" in reply.text


def test_operations_counted_in_tai_are_checked_against_cases(engine) -> None:
    reply = engine.ask("天坛医院那台手术机器人已经做了五百多台手术了")
    assert reply.kind == "answer" and reply.verdict == "no" and "近200例" in reply.text


def test_a_year_claimed_that_the_sentence_cannot_check_is_unstated(engine) -> None:
    reply = engine.ask("姚智院士是2000年拿的图灵奖吧")
    assert reply.kind == "fallback" and reply.verdict == "unstated" and "图灵奖" in reply.text


def test_an_ordinal_claimed_as_the_value_is_checked(engine) -> None:
    reply = engine.ask("天坛那款血管介入手术机器人是国内第二款获批上市的吧")
    assert reply.verdict == "no" and "首款" in reply.text


@pytest.mark.parametrize(
    ("question", "verdict", "quoted"),
    [
        ("夸父是个AI大模型吧", "no", "量子计算云平台"),  # the model is 悟道3.0
        ("夸父是个量子计算云平台吧", "yes", "量子计算云平台"),
        ("悟道3.0是量子计算平台吧", "no", "超大规模智能模型"),
    ],
)
def test_a_kind_claimed_of_a_name_is_the_kind_the_article_writes_before_it(
    engine, question: str, verdict: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.verdict == verdict and quoted in reply.lead


def test_a_two_digit_year_after_a_dating_word_is_that_year(engine) -> None:
    reply = engine.ask("一区2023年承接三城成果超270个 比22年翻番了")
    assert reply.verdict == "yes" and "2022年" in reply.text


def test_is_he_bragging_asks_to_check_the_claim_before_it(engine) -> None:
    reply = engine.ask("我老公在亦庄上班，他说纪姝婷团队那刀具让效率提高了5倍，吹牛吧？")
    assert reply.kind == "answer" and reply.verdict == "no" and "2至3倍" in reply.text


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("有人说赵弘是科学技术部的负责人", "中关村创新发展研究院"),  # the ministry's is 解敏
        ("11家中关村集成服务机构入驻的是天津的园区吧", "雄安"),  # a place inside a park's name
        ("悟道3.0是一台量子计算机吧", "超大规模智能模型"),  # the kind written before it
        ("北脑二号是在狗的脑袋里植入薄膜吧", "猴子"),  # an animal against the one named
    ],
)
def test_claims_of_another_posts_place_kind_or_animal_are_corrected(
    engine, question: str, quoted: str
) -> None:
    reply = engine.ask(question)
    assert reply.kind == "answer" and reply.verdict == "no" and quoted in reply.text


def test_the_year_before_another_is_no_figure_and_fanfan_doubles(engine) -> None:
    reply = engine.ask("2023年一区承接三城的成果超过270个，比前一年翻番，对吗")
    assert reply.verdict == "yes" and "翻了一番" in reply.text


def test_a_kind_claim_followed_by_a_remark_is_checked(engine) -> None:
    reply = engine.ask("夸父是一个大语言模型，跟悟道差不多的东西")
    assert reply.verdict == "no" and "量子计算云平台" in reply.lead


def test_a_rank_claimed_where_the_article_gives_an_office_is_unstated(engine) -> None:
    # 朱军 is the 研究院's 副院长 in the article; whether he is a 教授 it does not say
    reply = engine.ask("朱军是清华的教授吧")
    assert reply.kind == "fallback" and reply.verdict == "unstated"
    assert engine.ask("纪姝婷是北工大的正教授").verdict == "no"  # a rank against a rank


def test_a_claim_of_what_a_thing_is_quotes_the_sentence_that_says_it(engine) -> None:
    reply = engine.ask("肥城是地级市吧")
    assert reply.verdict == "no" and "县级城市" in reply.text
    assert engine.ask("肥城是县级市吧").verdict == "yes"


def test_a_rhetorical_question_claims_another_event(engine) -> None:
    # 不是……吗 claims it; the article names 2024中关村论坛年会's 人工智能主题日
    reply = engine.ask("Vidu不是在世界人工智能大会上发布的吗？")
    assert reply.verdict == "no" and "中关村论坛" in reply.text


def test_a_sum_of_money_claimed_is_checked_by_no_count(engine) -> None:
    # 年薪上百万 is money; 26名博士 in the sentence is no figure to check it by
    reply = engine.ask("肥城锂电园区给首席专家开年薪上百万，是不是")
    assert reply.kind == "fallback" and reply.verdict == "unstated"
