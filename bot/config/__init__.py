"""Settings: documented defaults < YAML config file < environment.

Every problem with user-supplied configuration becomes a one-line `ConfigError` that names
the setting, where the bad value came from (``file:line`` or the environment variable) and
the expected form, so an operator can fix it without reading a traceback.  Secrets (the bot
token and the webhook secret) are never echoed: not in errors, not in ``repr``.

The package follows the stages a setting goes through: `values` parses and checks one value,
`specs` is the table of settings (parser, complaint, documentation), `settings` the validated
object with its defaults, `loading` reads the file and the environment, `docs` renders the table.
"""

from __future__ import annotations

from bot.config.docs import SETTING_DOCS, SettingDoc, describe
from bot.config.loading import CONFIG_ENV, ENV_PREFIX, TOKEN_ENV, load_settings
from bot.config.settings import Settings
from bot.config.values import LOG_LEVELS, ConfigError

__all__ = [
    "CONFIG_ENV",
    "ENV_PREFIX",
    "LOG_LEVELS",
    "SETTING_DOCS",
    "TOKEN_ENV",
    "ConfigError",
    "SettingDoc",
    "Settings",
    "describe",
    "load_settings",
]
