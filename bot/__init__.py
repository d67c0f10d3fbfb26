"""factbot: answers Chinese questions about one news article, always quoting its source."""

__version__ = "0.1.0"
