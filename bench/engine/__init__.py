"""How good and how fast the question-answering engine is, beside two naive baselines.

    python -m bench.engine [--sets knowledge/eval/dev.yaml ...] [--quick]

Three parts, printed side by side; nothing here asserts anything about time.

1. Accuracy and latency on the same questions (default: every knowledge/eval/*.yaml), in one
   process, for the Engine and two baselines that quote the single best fact sentence:
   "WRatio" (rapidfuzz fuzz.WRatio of the raw question against each fact's text) and "BM25"
   (BM25, k1=1.5, b=0.75, over character pairs of NFKC text). A baseline answers when its best
   score reaches a threshold tuned on dev.yaml and declines otherwise; it never makes small talk.
   Without baselines an accuracy figure says little: they show what plain matching already gets.
2. Cold start of `factbot ask "北京有多少所高校？"` as a real process, beside `python -c pass`,
   the interpreter's own floor: what a user of the CLI waits for.
3. Scale: a synthetic knowledge base with 100 times the article (99 derived copies whose names
   and figures differ; 50x, 20x or 10x if building takes over three minutes), loaded in a fresh
   process beside the real one, to see how load time, latency and memory grow with knowledge.

Each knowledge base is measured in its own child process (``--measure-kb``), so the peak
resident memory (resource.getrusage) belongs to that knowledge alone, and building it runs in a
child too (``--build-kb``) so it can be stopped after three minutes and retried smaller.
"""
