"""Every knowledge command reads the folder the curator means, and says which: --knowledge,
FACTBOT_KNOWLEDGE_DIR, knowledge_dir in the config file, else the checkout's knowledge/; and
`build` never writes into an installed package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE, ROOT, run_cli

COMMANDS = [
    ["check"],
    ["build"],
    ["ask", "北京有多少所高校？"],
    ["chat"],
    ["eval", str(KNOWLEDGE / "eval" / "dev.yaml")],
]


def _first_line(result) -> str:
    return result.stderr.splitlines()[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_the_environment_names_the_knowledge(knowledge_copy: Path, command: list[str]) -> None:
    result = run_cli(*command, env={"FACTBOT_KNOWLEDGE_DIR": str(knowledge_copy)}, stdin="")
    assert result.returncode == 0, result.stderr
    assert _first_line(result) == f"knowledge: {knowledge_copy} (from FACTBOT_KNOWLEDGE_DIR)"


def test_the_config_file_names_the_knowledge(knowledge_copy: Path, tmp_path: Path) -> None:
    config = tmp_path / "factbot.yaml"
    config.write_text(f"knowledge_dir: {knowledge_copy}\n", encoding="utf-8")
    (knowledge_copy / "synonyms.yaml").unlink()  # so it shows which copy was read
    by_env = run_cli("check", env={"FACTBOT_CONFIG": str(config)})
    assert _first_line(by_env) == f"knowledge: {knowledge_copy} (from knowledge_dir in {config})"
    assert by_env.returncode == 1 and f"{knowledge_copy / 'synonyms.yaml'}: file missing" in (
        by_env.stderr
    )
    by_flag = run_cli("ask", "--config", str(config), "北京有多少所高校？")
    assert _first_line(by_flag) == f"knowledge: {knowledge_copy} (from knowledge_dir in {config})"


def test_the_environment_overrides_the_config_file(knowledge_copy: Path, tmp_path: Path) -> None:
    config = tmp_path / "factbot.yaml"
    config.write_text(f"knowledge_dir: {tmp_path}\n", encoding="utf-8")
    env = {"FACTBOT_CONFIG": str(config), "FACTBOT_KNOWLEDGE_DIR": str(knowledge_copy)}
    result = run_cli("check", env=env)
    assert result.returncode == 0, result.stderr
    assert _first_line(result) == f"knowledge: {knowledge_copy} (from FACTBOT_KNOWLEDGE_DIR)"


def test_a_bad_config_is_one_line_and_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", env={"FACTBOT_KNOWLEDGE_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == 2
    assert result.stderr == (
        f"factbot check: FACTBOT_KNOWLEDGE_DIR: '{tmp_path / 'nowhere'}' is not an existing "
        "directory (expected e.g. ./knowledge)\n"
    )


def test_in_a_checkout_the_checkout_knowledge_is_used(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _first_line(result) == f"knowledge: {ROOT / 'knowledge'} (the checkout's knowledge/)"


def test_build_refuses_an_installed_copy(tmp_path: Path) -> None:
    installed = tmp_path / "lib" / "python3" / "site-packages" / "bot" / "knowledge"
    shutil.copytree(KNOWLEDGE, installed, ignore=shutil.ignore_patterns("eval"))
    (installed / "facts.yaml").write_text("# not rebuilt\n", encoding="utf-8")
    result = run_cli("--knowledge", str(installed), "build")
    assert result.returncode == 2
    assert f"factbot build: {installed} is the copy of the knowledge installed with factbot" in (
        result.stderr
    )
    assert "factbot --knowledge DIR build" in result.stderr
    assert (installed / "facts.yaml").read_text(encoding="utf-8") == "# not rebuilt\n"


def _installed_venv(path: Path) -> Path:
    """A venv with factbot installed from this checkout as a user would (not editable); this
    environment's packages are visible to it through a .pth file, so nothing is downloaded."""
    import subprocess
    import sys
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    own = Path(sysconfig.get_path("purelib", vars={"base": str(path), "platbase": str(path)}))
    own.mkdir(parents=True, exist_ok=True)
    (own / "outer.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "FACTBOT_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--no-build-isolation", str(ROOT)],
        check=True, env=env, capture_output=True, timeout=240,
    )
    return own


def test_the_installed_copy_is_named_as_such_and_never_built(tmp_path: Path) -> None:
    import subprocess

    own = _installed_venv(tmp_path / "venv")
    factbot = str(tmp_path / "venv" / "bin" / "factbot")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTBOT_")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [factbot, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
        )

    installed = own / "bot" / "knowledge"
    checked = run("check", cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.splitlines()[0] == (
        f"knowledge: {installed} (the copy installed with factbot; to curate, work in a "
        "checkout or point --knowledge or FACTBOT_KNOWLEDGE_DIR at a copy)"
    )
    before = (installed / "facts.yaml").read_bytes()
    built = run("build", cwd=elsewhere)
    assert built.returncode == 2
    assert "is the copy of the knowledge installed with factbot" in built.stderr
    assert (installed / "facts.yaml").read_bytes() == before

    in_checkout = run("check", cwd=ROOT / "bot")  # anywhere inside a checkout: its knowledge/
    assert in_checkout.stderr.splitlines()[0] == (
        f"knowledge: {ROOT / 'knowledge'} (the checkout's knowledge/)"
    )
