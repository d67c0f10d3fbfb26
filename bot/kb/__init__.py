"""The knowledge store: the article as cleaned text, the facts built from it, and curated data."""
