"""Operating the bot: health, usage figures and what is kept about people."""
