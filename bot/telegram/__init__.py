"""The Telegram bot: thin PTB handlers over the engine; ``app.build_application`` builds it."""
