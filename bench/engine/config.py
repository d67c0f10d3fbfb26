"""Where the benchmark finds the knowledge, and the targets its figures are held against."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
KNOWLEDGE = ROOT / "knowledge"
DEV = KNOWLEDGE / "eval" / "dev.yaml"
MAIN_ARTICLE = "bj"
COLD_QUESTION = "北京有多少所高校？"

TARGET_COLD_MEDIAN_S = 0.5
TARGET_MEAN_MS = 1.5  # mean time per question over a batch of questions
TARGET_P99_MS = 20.0
TARGET_PEAK_MB = 300.0
BUILD_LIMIT_S = 180.0  # a bigger synthetic knowledge base that takes longer is built smaller
FACTORS = (100, 50, 20, 10)  # tried in this order; --quick starts at 10
KINDS = ("answer", "oos", "smalltalk")
KIND_LABELS = {"answer": "answers", "oos": "oos declined", "smalltalk": "small talk"}
