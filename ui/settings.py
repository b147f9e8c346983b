"""The UI's own settings: where the API is and how the interface starts, read from `MIZAN_*` variables and `.env`.

The UI process needs none of the server's settings (the store, the models, the LLM keys live in
`core.settings.Settings`, which the UI may not import: contract `ui-over-http`), so it reads these few alone.
The server's write key (MIZAN_API_KEY) is deliberately not among them: an administrator types it on the Admin page,
for one session, so that setting it where the UI runs never hands uploads and deletions to every visitor.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIZAN_", env_file=".env", extra="ignore")

    api_url: str = Field("http://127.0.0.1:8000", description="Where the UI and `--api` commands reach the API.")
    api_timeout: float = Field(
        120, gt=0, description="Seconds the UI waits for one API response (an answer written by a local LLM takes tens "
        "of seconds on a CPU).")
    ui_language: Literal["fr", "en", "ar"] = Field(
        "fr", description="The interface's language until a visitor picks another (or opens the page with ?lang=).")


@lru_cache(maxsize=1)
def get_ui_settings() -> UISettings:
    return UISettings()
