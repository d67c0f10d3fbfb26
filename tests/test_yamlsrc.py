"""Line-aware YAML: a top-level list is parsed an item at a time, and every line number (of
items, keys, errors) is the one in the file, exactly as if it had been parsed whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.yamlsrc import KnowledgeInvalid, line_of, load_yaml

LIST = """\
# a header comment
- id: first
  examples:
    - 一
    - 二

# between items
- id: second
  title: {a: 1, b: [2,
    3]}
- id: third
  examples: [x, y]
"""


def test_lines_of_items_and_keys_are_the_files(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(LIST, encoding="utf-8")
    data = load_yaml(path)
    assert [item["id"] for item in data] == ["first", "second", "third"]
    assert data[1]["title"] == {"a": 1, "b": [2, 3]}
    assert [line_of(data, i) for i in range(3)] == [2, 8, 11]
    assert line_of(data[0], "examples") == 3
    assert line_of(data[0]["examples"], 1) == 5
    assert line_of(data[2], "examples") == 12


def test_a_syntax_error_in_a_later_item_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(LIST.replace("examples: [x, y]", "examples: [x, y"), encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as caught:
        load_yaml(path)
    [error] = caught.value.errors
    assert error.path.endswith("list.yaml")
    assert error.line >= 12 and error.message.startswith("YAML syntax")


def test_a_duplicate_key_in_a_later_item_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(LIST + "  id: again\n", encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as caught:
        load_yaml(path)
    [error] = caught.value.errors
    assert error.line == 13
    assert "duplicate key 'id'" in error.message


def test_a_mapping_file_is_parsed_whole(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("# words\n北京: [首都]\n高校:\n  - 大学\n", encoding="utf-8")
    data = load_yaml(path)
    assert data == {"北京": ["首都"], "高校": ["大学"]}
    assert line_of(data, "高校") == 3
