"""The Indicators page and the Discover page's brief, with Streamlit's AppTest against a real API server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.ui_harness import Server, start_api
from ui.settings import get_ui_settings

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Server]:
    server = start_api(tmp_path_factory.mktemp("ui-jobs"), embed_model_path)
    settings = get_ui_settings()
    previous = settings.api_url
    settings.api_url = server.url
    yield server
    settings.api_url = previous
    server.stop()


def _page(page: str, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=300)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    return _ok(at)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.proto.body for h in at.get("html")]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def _submit(at: AppTest, index: int) -> AppTest:
    at.get("form_submit_button")[index].click().run()
    return _ok(at)


def test_review_shows_each_verdict_with_its_reason_and_opens_the_cited_page(api: Server) -> None:
    at = _page("views/indicators.py")
    assert at.title[0].value == "Atelier des indicateurs"
    at.text_area(key="ind-text").input("Nombre de stagiaires formés")
    at.text_input(key="ind-objective").input("Améliorer l'insertion professionnelle des jeunes diplômés.")
    _submit(at, 0)
    texts = _texts(at)
    assert "Conformes : 1 · non conformes : 7 · à vérifier : 0" in texts
    assert "Non conforme" in texts and "Mesure un résultat, pas une activité" in texts
    assert "Confondre activité et résultat" in texts  # the guide's own words, quoted
    at.button(key="open-verdict-7-0").click().run()
    assert '<mark class="mizan-hl">' in _texts(_ok(at))


def test_draft_and_classify_in_english(api: Server) -> None:
    at = _page("views/indicators.py", lang="en")
    at.text_area(key="ind-description").input(
        "A programme building water supply networks for rural households. Its objective is to give every rural "
        "household access to drinking water.")
    _submit(at, 1)
    texts = _texts(at)
    assert "Rate of access to drinking water among rural households" in texts and "to complete" in texts
    at.radio(key="ind-objective-level").set_value("significant")
    at.slider(key="ind-share").set_value(40)
    _submit(at, 2)
    texts = _texts(at)
    assert "Suggested code: G1 · OECD-DAC marker: 1" in texts and "never an official classification" in texts
    assert "three levels" in texts


def test_the_discover_page_prepares_a_brief_to_download_in_arabic(api: Server) -> None:
    at = _page("views/discover.py", lang="ar")
    at.selectbox(key="brief-topic").set_value("gender_report")
    at.button(key="brief-make").click().run()
    _ok(at)
    brief = at.session_state["discover_brief"]
    assert brief["language"] == "ar" and 5 <= len(brief["bullets"]) <= 8
    assert "مذكرة للوفود — التقرير السنوي حول ميزانية النوع الاجتماعي" in _texts(at)
    assert [b.proto.label for b in at.get("download_button")] == ["تحميل (Markdown)", "تحميل (PDF)"]
