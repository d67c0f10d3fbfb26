"""Reading a question (question.py): cleaned and cut once, normalised, folded, its content words,
its lead-in clauses and the names an English sentence capitalises."""

from __future__ import annotations

from bot.engine.normalize import MAX_QUESTION_CHARS
from bot.engine.question import clean, parts, read


def test_clean_drops_invisible_characters_and_cuts_to_the_cap() -> None:
    assert clean("北京\u200b有多少所高校") == "北京有多少所高校"
    assert len(clean("啊" * 10_000)) == MAX_QUESTION_CHARS
    assert clean(None) == ""  # type: ignore[arg-type]


def test_content_leaves_out_question_words(engine) -> None:
    question = read(engine.index, "北京有多少所高校？")
    assert question.normalised == "北京有多少所高校"
    assert [(t.text, t.kind) for t in question.content] == [("北京", "entity"), ("高校", "word")]
    assert question.features is not None and not question.english


def test_the_alternative_after_haishi_is_not_content(engine) -> None:
    question = read(engine.index, "用的是国产机床还是进口的")
    assert "进口" not in {t.text for t in question.content}
    assert "机床" in {t.text for t in question.content}


def test_lead_in_words_are_the_clauses_before_the_one_that_asks(engine) -> None:
    question = read(
        engine.index,
        "北京在推进三城一区布局，我想知道三城的科研成果在一区转化落地的情况，"
        "2023年的数字和前一年相比变化有多大？",
    )
    assert {"布局", "推进", "科研成果"} <= question.lead_in
    assert "北京" not in question.lead_in  # names count in full wherever they stand
    assert "相比" not in question.lead_in  # a word of the asking clause


def test_capitalised_words_of_an_english_sentence_are_names(engine) -> None:
    question = read(engine.index, "How many universities are there in Beijing and Shanghai?")
    assert question.names == {"beijing", "shanghai"}
    assert question.english


def test_a_question_without_content_has_no_features(engine) -> None:
    question = read(engine.index, "？？？")
    assert question.content == [] and question.features is None


def test_parts_are_the_sentences_long_enough_to_ask() -> None:
    two = parts("刀具是加工什么零件的？效率提升了多少？")
    assert two == ["刀具是加工什么零件的", "效率提升了多少"]
    assert parts("好的。谢谢") == []


def test_the_writers_own_remarks_do_not_veto_but_a_remark_naming_the_place_asked_does(
    engine,
) -> None:
    # Who the writer is, and where from, when the asking clause names its own place.
    for message in (
        "您好，我是初三学生，想知道阮珏多大年纪拿到长聘席位的？",
        "我老家河南的，肥城那个锂电产业园免费给企业的研发空间有多大？",
        "作为一名做投资的，我挺好奇：北京的三个科学城都叫什么？",
    ):
        assert engine.ask(message).kind == "answer", message
    # The place of the remark is what is asked about when the asking clause names none.
    assert engine.ask("我在上海，有多少所高校？").kind != "answer"


def test_an_unknown_word_the_tagger_guesses_is_a_name_sets_no_topic(engine) -> None:
    # 宝宝 is no one the article names: the clause is chat, not the topic of the question.
    reply = engine.ask("好奇宝宝来了，北京的国家实验室数量全国排第几")
    assert reply.kind == "answer" and "全国首位" in reply.text


def test_words_either_side_of_a_comma_are_not_joined_into_a_name(engine) -> None:
    # 出题、高校 is two words, not an institution called 出题高校.
    tokens = read(engine.index, "企业出题、高校揭榜的机制叫什么").tokens
    assert not any(t.text.startswith("出题高校") for t in tokens)
    reply = engine.ask("企业出题、高校团队揭榜的那种机制叫什么")
    assert reply.kind == "answer" and "揭榜挂帅" in reply.text


def test_a_bare_question_asks_of_the_claim_before_it_not_of_the_writers_place(engine) -> None:
    # "我在广州" is where the writer is; what they read (保定那个创新中心) is what is asked of.
    reply = engine.ask("我在广州，看到说保定那个创新中心注册了不少企业，有多少家？")
    assert reply.kind == "answer" and "362家" in reply.text


def test_a_place_the_writer_names_is_asked_of_when_the_question_names_none(engine) -> None:
    assert engine.ask("我在上海，有多少高校？").kind != "answer"
    assert engine.ask("我在上海，那边有多少高校？").kind != "answer"


def test_a_space_beside_a_latin_word_does_not_split_the_question() -> None:
    from bot.engine.focus import split_clauses

    mixed = "肥城 lithium industry 的 goal 是啥"
    assert split_clauses(mixed) == [mixed]
    assert split_clauses("北京有几所高校来着 哈哈") == ["北京有几所高校来着", "哈哈"]


def test_a_frame_word_glued_to_its_verb_is_read_apart(engine) -> None:
    tokens = [t.text for t in engine.index.analyzer.question_tokens("研究所全名是什么")]
    assert "全名" in tokens and "全名是" not in tokens
