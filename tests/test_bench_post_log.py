"""bench/post_log.py fills a real SQLite file and purges it day by day (sizes are printed, not
asserted): the purged post log stays at the retention's days, the other keeps growing."""

from __future__ import annotations

from bench.post_log import main


def test_the_purged_post_log_stays_at_the_retention_and_the_other_grows(capsys) -> None:
    assert main(["--chats", "20", "--retention", "5", "--more", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("20 chats x 5 days: 100 post log rows, file ")
    days = [line.split() for line in out[2:-1]]
    assert [(d[1], d[3]) for d in days] == [("0", "120"), ("20", "120"), ("20", "120"),
                                            ("20", "120")]
    assert out[-1].endswith("with it the post log stays at 6 days")
