"""The question-answering engine: pure and synchronous, text in, reply out; no Telegram."""
