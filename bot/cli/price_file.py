"""The price override file of the offline commands, found the way the settings find it, without loading them.

``validate`` and ``models`` need one setting, ``FINETUNE_PRICES_FILE``. Reading it as ``Settings``
does (the process environment first, then ``.env`` in the working directory, the name in any case)
but without pydantic-settings keeps those commands quick to start; the service still reads every
setting through ``bot.settings``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: The setting, as documented in the README.
SETTING = "FINETUNE_PRICES_FILE"
#: The file ``Settings`` reads beside the environment.
ENV_FILE = Path(".env")


def configured_price_file(environ: Mapping[str, str] | None = None, env_file: Path = ENV_FILE) -> Path | None:
    """The configured price override file, or None when the setting is unset or empty."""
    value = _lookup(os.environ if environ is None else environ)
    if value is None and env_file.is_file():
        from dotenv import dotenv_values

        value = _lookup({name: v for name, v in dotenv_values(env_file, encoding="utf-8").items() if v is not None})
    return Path(value) if value else None


def _lookup(variables: Mapping[str, str]) -> str | None:
    """The setting's value, its name matched without regard to case."""
    for name, value in variables.items():
        if name.upper() == SETTING:
            return value.strip()
    return None
