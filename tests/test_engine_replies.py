"""Reply building (replies.py): the lead, each verbatim quote and where it stands."""

from __future__ import annotations


def test_answer_reads_lead_quote_source(engine) -> None:
    reply = engine.ask("北京有多少所高校？")
    assert reply.kind == "answer"
    lines = reply.text.splitlines()
    assert "92" in lines[0]
    assert lines[1].startswith("「") and lines[1].endswith("」")
    assert "92所高校" in lines[1]
    assert lines[2].startswith("来源：《感悟高质量发展的“第一动力”》· ")
    assert reply.sources[0].quote in lines[1]


def test_every_quote_is_verbatim_in_its_paragraph(engine) -> None:
    for intent in engine.knowledge.intents:
        reply = engine.reply_for(intent.id)
        for source in reply.sources:
            article = engine.knowledge.article(source.paragraph_id.split(".")[0])
            assert source.quote in article.paragraph(source.paragraph_id).text


def test_sentences_of_one_paragraph_are_quoted_together_in_reading_order(engine) -> None:
    facts = [f for f in engine.knowledge.facts if f.paragraph == "bj.intro.p2"]
    first, second, third = sorted(facts, key=lambda f: f.sentence)[:3]
    together = engine.sources((third, first))  # the main fact leads, the quote reads in order
    assert len(together) == 1
    assert together[0].quote == first.text + "……" + third.text
    assert engine.sources((first, second))[0].quote == first.text + second.text
    assert together[0].fact_ids == (first.id, third.id)  # every sentence quoted, in order
    assert engine.sources((second,))[0].fact_ids == (second.id,)


def test_merge_keeps_each_quote_once_and_every_line(engine) -> None:
    from bot.engine.replies import merge

    one = engine.reply_for("beijing_universities")
    other = engine.reply_for("beijing_institutes")
    merged = merge([one, other, one], None)
    assert merged.kind == "answer" and merged.intent == "beijing_universities"
    assert merged.lead == f"{one.lead}\n{other.lead}"
    ids = [s.fact_id for s in merged.sources]
    assert len(ids) == len(set(ids))


def test_reply_for_an_unknown_key_is_none_and_a_fact_gets_the_generic_lead(engine) -> None:
    from bot.engine.replies import GENERIC_LEAD

    assert engine.reply_for("no_such_intent") is None
    fact = engine.knowledge.facts[0]
    reply = engine.reply_for(fact.id)
    assert reply.lead == GENERIC_LEAD and reply.sources[0].quote == fact.text


def test_a_reply_carries_its_keys_and_whether_it_was_answered(engine) -> None:
    answer = engine.ask("北京有多少所高校？")
    assert answer.key == "beijing_universities" and not answer.unanswered
    assert answer.related == bool(engine.related("beijing_universities", limit=1))
    declined = engine.ask("上海有多少所高校？")
    assert declined.key is None and declined.unanswered
    assert len(declined.suggestion_keys) == len(declined.suggestions) > 0
    for question, key in zip(declined.suggestions, declined.suggestion_keys, strict=True):
        assert engine.ask(question).key == key  # each suggestion is answered by its key
    empty = engine.ask("？？")
    assert empty.kind == "fallback" and not empty.unanswered  # nothing was asked
    assert len(empty.suggestion_keys) == len(empty.suggestions)


def test_a_fact_answer_is_keyed_by_its_fact(engine) -> None:
    fact = engine.knowledge.facts[0]
    assert engine.reply_for(fact.id).key == fact.id
