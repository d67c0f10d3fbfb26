"""The first stage of ``bench.restart``: ``factbot run`` as a subprocess, started, killed with
SIGKILL, or stopped with SIGTERM as a service manager would."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    """``factbot run`` as a subprocess in its own session (so a kill takes its workers too)."""

    def __init__(self, fake: FakeTelegram, data_dir: Path, **env: str) -> None:
        level = os.environ.get("FACTBOT_LOG_LEVEL", "WARNING")
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith("FACTBOT_") and k != "TELEGRAM_BOT_TOKEN"},
            "PYTHONIOENCODING": "utf-8",
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "FACTBOT_CONFIG": "",
            "FACTBOT_API_BASE_URL": fake.base_url,
            "FACTBOT_DATA_DIR": str(data_dir),
            "FACTBOT_LOG_LEVEL": level,
            **env,
        }
        self.fake = fake
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / "bot.log"

    def start(self, timeout: float = 60.0) -> None:
        """Starts the bot and returns once it polls for updates (the poll of a killed
        predecessor may still be waiting in the fake: this run's own start is awaited)."""
        began = time.time()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
                stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while self.fake.waiting_polls == 0 or not any(
            c.method == "deleteWebhook" and c.time >= began for c in self.fake.calls
        ):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"factbot run did not start; see {self.log}")
            time.sleep(0.01)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the bot and its engine workers."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            else:  # the bot is gone; make sure no worker of it outlives it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
