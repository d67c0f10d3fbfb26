"""What a curator runs: build, check and report, over any knowledge folder."""
