"""The UI's own settings (ui/settings.py): read from MIZAN_* variables and .env, without the server's settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from ui.settings import UISettings, get_ui_settings

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MIZAN_* variable of the caller's, and a working directory without its .env."""
    import os

    for name in [n for n in os.environ if n.startswith("MIZAN_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_then_the_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert UISettings().model_dump() == {"api_url": "http://127.0.0.1:8000", "api_timeout": 120.0, "ui_language": "fr"}
    monkeypatch.setenv("MIZAN_API_URL", "http://mizan.internal:9000")
    monkeypatch.setenv("MIZAN_API_TIMEOUT", "30")
    monkeypatch.setenv("MIZAN_UI_LANGUAGE", "ar")
    monkeypatch.setenv("MIZAN_DATA_DIR", "/srv/mizan")  # the server's: not the UI's business
    monkeypatch.setenv("MIZAN_OPENAI_API_KEY", "sk-secret")
    settings = UISettings()
    assert (settings.api_url, settings.api_timeout, settings.ui_language) == ("http://mizan.internal:9000", 30, "ar")
    assert "sk-secret" not in settings.model_dump_json() and set(UISettings.model_fields) == {
        "api_url", "api_timeout", "ui_language"}


def test_a_dot_env_file_is_read_and_bad_values_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("MIZAN_API_URL=http://from-dotenv:8000\nMIZAN_QDRANT_URL=http://q:6333\n")
    assert UISettings().api_url == "http://from-dotenv:8000"
    monkeypatch.setenv("MIZAN_UI_LANGUAGE", "de")
    with pytest.raises(ValidationError, match="ui_language"):
        UISettings()
    monkeypatch.setenv("MIZAN_UI_LANGUAGE", "en")
    monkeypatch.setenv("MIZAN_API_TIMEOUT", "0")
    with pytest.raises(ValidationError, match="api_timeout"):
        UISettings()


def test_the_client_waits_as_long_as_the_settings_say() -> None:
    from ui import common

    settings = get_ui_settings()
    previous = settings.api_timeout
    settings.api_timeout = 7.5
    try:
        common._client.clear()
        assert common._client("http://127.0.0.1:1")._http.timeout.read == 7.5
    finally:
        settings.api_timeout = previous
        common._client.clear()


@pytest.fixture
def unreachable_api_in(request: pytest.FixtureRequest) -> Iterator[None]:
    from tests.support.ui_harness import free_port

    settings = get_ui_settings()
    previous = settings.api_url, settings.ui_language
    settings.api_url, settings.ui_language = f"http://127.0.0.1:{free_port()}", request.param
    yield
    settings.api_url, settings.ui_language = previous


@pytest.mark.parametrize(("unreachable_api_in", "tagline"), [
    ("ar", "مساعد معرفي للميزانية المستجيبة للنوع الاجتماعي"),
    ("en", "Knowledge assistant for gender-responsive budgeting"),
], indirect=["unreachable_api_in"])
def test_the_interface_starts_in_the_deployment_language(unreachable_api_in: None, tagline: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert tagline in [c.value for c in at.sidebar.caption]
    assert "lang" not in at.query_params  # the deployment's own language: a plain address
