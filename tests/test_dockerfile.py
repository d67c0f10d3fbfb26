"""The Dockerfile's own steps, run here without docker: its COPY lines (through
.dockerignore) into a staging folder, its RUN lines in a fresh virtual environment, then its
CMD against the fake Bot API and its HEALTHCHECK command, as the container would.

Container paths (/app, /data) map into the staging folder. What only a root build can do
(creating the account, chown) is checked for what it says, not run. The fresh environment
sees this one's installed packages (python-telegram-bot & co., hatchling) through a .pth
line, so ``pip install .`` installs factbot itself offline and without build isolation: the
test proves the copied files build and install, not that PyPI is up.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path, PurePosixPath

import pytest

from bot.config import Settings
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
ALICE = 1001
QUESTION = "北京有多少所高校？"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each logical line: continuations joined, comments out."""
    found, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1].strip() + " "
            continue
        logical = current + stripped
        current = ""
        word, _, rest = logical.partition(" ")
        found.append((word.upper(), rest.strip()))
    return found


def ignored(relative: PurePosixPath, patterns: list[str]) -> bool:
    """.dockerignore semantics: the last matching pattern wins, ``!`` re-includes, a match
    on a folder covers what is inside it."""
    verdict = False
    candidates = [relative, *list(relative.parents)[:-1]]
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        body = body.rstrip("/")
        for path in candidates:
            text = str(path)
            if fnmatch.fnmatch(text, body) or (
                body.startswith("**/") and fnmatch.fnmatch(path.name, body[3:])
            ):
                verdict = not negated
                break
    return verdict


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copy(source: str, target: Path, into_folder: bool, patterns: list[str]) -> None:
    """COPY one source: a folder's files under ``target``; a file to ``target`` itself, or
    into it when the destination is a folder (``./``, or several sources)."""
    base = ROOT / source
    files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
    for path in files:
        if ignored(PurePosixPath(path.relative_to(ROOT).as_posix()), patterns):
            continue
        if base.is_dir():
            destination = target / path.relative_to(base)
        else:
            destination = target / path.name if into_folder else target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(path.read_bytes())


class Image:
    """The staging root and what the Dockerfile said along the way."""

    def __init__(self, root: Path, venv: Path) -> None:
        self.root = root
        self.venv = venv
        self.workdir = "/"
        self.env: dict[str, str] = {}
        self.user: str | None = None
        self.exposed: list[str] = []
        self.healthcheck: list[str] = []
        self.cmd: list[str] = []
        self.accounts: list[str] = []

    def host(self, path: str) -> Path:
        absolute = path if path.startswith("/") else f"{self.workdir.rstrip('/')}/{path}"
        return self.root / absolute.lstrip("/")

    def environment(self, **extra: str) -> dict[str, str]:
        mapped = {k: str(self.host(v)) if v.startswith("/") else v for k, v in self.env.items()}
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("FACTBOT_", "PIP_"))}
        keep.pop("TELEGRAM_BOT_TOKEN", None)
        return {
            **keep,
            **mapped,
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "VIRTUAL_ENV": str(self.venv),
            "PYTHONIOENCODING": "utf-8",
            **extra,
        }

    def run(self, command: str) -> None:
        for part in command.split("&&"):
            words = shlex.split(part)
            if words[0] in ("useradd", "chown"):  # needs root and would change this machine
                self.accounts.append(part.strip())
            elif words[0] == "mkdir":
                for folder in (w for w in words[1:] if not w.startswith("-")):
                    self.host(folder).mkdir(parents=True, exist_ok=True)
            else:
                done = subprocess.run(
                    part, shell=True, cwd=self.host("."), capture_output=True, text=True,
                    timeout=240, check=False, executable="/bin/bash",
                    env=self.environment(
                        PIP_NO_INDEX="1",
                        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of "no isolation"
                        PIP_DISABLE_PIP_VERSION_CHECK="1",
                    ),
                )
                assert done.returncode == 0, (part, done.stdout[-2000:], done.stderr[-2000:])


def fresh_venv(path: Path) -> None:
    """A virtual environment without pip of its own: this environment's packages (pip
    included) are visible to it, its own installs go into it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(path), "platbase": str(path)})
    )
    purelib.mkdir(parents=True, exist_ok=True)
    (purelib / "outer.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    shim = path / "bin" / "pip"
    shim.write_text(f'#!/bin/sh\nexec "{path / "bin" / "python"}" -m pip "$@"\n')
    shim.chmod(0o755)


def build(tmp_path: Path) -> Image:
    image = Image(tmp_path / "root", tmp_path / "venv")
    fresh_venv(image.venv)
    patterns = dockerignore()
    for word, rest in instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")):
        if word == "ENV":
            image.env.update(item.split("=", 1) for item in shlex.split(rest))
        elif word == "WORKDIR":
            image.workdir = rest
            image.host(".").mkdir(parents=True, exist_ok=True)
        elif word == "COPY":
            *sources, target = shlex.split(rest)
            into_folder = target.endswith("/") or len(sources) > 1
            for source in sources:
                copy(source, image.host(target), into_folder, patterns)
        elif word == "RUN":
            image.run(rest)
        elif word == "USER":
            image.user = rest
        elif word == "EXPOSE":
            image.exposed += rest.split()
        elif word == "HEALTHCHECK":
            image.healthcheck = json.loads(rest[rest.index("CMD") + 3 :])
        elif word == "CMD":
            image.cmd = json.loads(rest)
    return image


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    return build(tmp_path_factory.mktemp("image"))


def test_the_image_runs_as_a_numeric_user_that_owns_the_volume(image: Image) -> None:
    assert image.user is not None and image.user.isdigit() and image.user != "0"
    [useradd, chown] = image.accounts
    assert f"--uid {image.user}" in useradd
    assert chown == f"chown {image.user}:{image.user} {image.env['FACTBOT_DATA_DIR']}"
    assert str(Settings().webhook_port) in image.exposed


def test_the_build_context_holds_no_tests_caches_or_data(image: Image) -> None:
    app = image.host(".")
    copied = {p.relative_to(app).parts[0] for p in app.rglob("*")}
    assert copied == {"pyproject.toml", "README.md", "bot", "knowledge"}
    assert not list(app.rglob("__pycache__")) and not (app / "knowledge" / "eval").exists()
    patterns = dockerignore()
    for path in ("tests/test_cli.py", "data/factbot.sqlite3", ".venv/bin/python", ".git/HEAD"):
        assert ignored(PurePosixPath(path), patterns), path


def test_the_command_answers_and_the_health_check_follows_it(image: Image) -> None:
    installed = subprocess.run(
        [str(image.venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"],
        capture_output=True, text=True, check=True, cwd=image.root,
    ).stdout
    assert installed.startswith(str(image.venv))  # the image's copy, not this checkout

    def health() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            image.healthcheck, capture_output=True, text=True, timeout=30, check=False,
            cwd=image.host("."), env=image.environment(),
        )

    with FakeTelegram() as fake:
        fake.user(ALICE, "Alice")
        env = image.environment(
            TELEGRAM_BOT_TOKEN=fake.token,
            FACTBOT_API_BASE_URL=fake.base_url,
            FACTBOT_OWNER_IDS=str(ALICE),
        )
        log = (image.root / "bot.log").open("w")
        bot = subprocess.Popen(
            image.cmd, cwd=image.host("."), env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            fake.wait_for("setMyCommands", timeout=60, count=2)
            fake.push_update(fake.message_update(ALICE, ALICE, QUESTION))
            answer = fake.wait_for("sendMessage", timeout=30)
            assert answer.ok and "来源：" in answer.params["text"]

            deadline = time.monotonic() + 30
            while (verdict := health()).returncode != 0:
                assert time.monotonic() < deadline, verdict.stderr
                time.sleep(0.2)
            assert verdict.stdout.startswith("healthy: heartbeat ")

            bot.send_signal(signal.SIGHUP)  # reload the knowledge, tell the owner
            told = fake.wait_for("sendMessage", timeout=60, count=2)
            assert told.params["chat_id"] == ALICE and "reloaded" in told.params["text"]

            bot.send_signal(signal.SIGTERM)
            assert bot.wait(30) == 0
        finally:
            if bot.poll() is None:
                bot.kill()
                bot.wait()
            log.close()
    stopped = health()
    assert stopped.returncode == 1 and "stopped at" in stopped.stderr
    assert "Traceback" not in (image.root / "bot.log").read_text(encoding="utf-8")
