"""End to end in a real headless Chromium: the API and the UI served on free ports over the sample corpus.

Each step saves a screenshot under reports/e2e/ (git-ignored) so a person can see what the user saw.
Needs Debian's chromium (`apt-get install chromium`) and the playwright Python package; no browser download.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_harness import REPO, Server, start_api, start_ui

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no `playwright install`)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

SHOTS = REPO / "reports" / "e2e"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FR_QUESTION = "Comment formuler un indicateur sensible au genre pour un programme ?"
ANSWER_TIMEOUT_MS = 300_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("e2e")
    api = start_api(workdir, embed_model_path)
    try:
        ui = start_ui(workdir, api.url)
    except Exception:
        api.stop()
        raise
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield ui
    ui.stop()
    api.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


def settle(page: sync_api.Page, timeout_ms: int = 180_000) -> None:
    """Wait until the script run is over (Streamlit's running indicator gone) and the page has painted."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(500)


def shot(page: sync_api.Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=False)


def assert_no_tracebacks(page: sync_api.Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.all_inner_texts()


def open_app(page: sync_api.Page, ui: Server, path: str = "") -> None:
    page.goto(f"{ui.url}/{path}")
    page.wait_for_selector("h1", timeout=90_000)
    settle(page)


def test_a_french_question_gets_a_cited_answer_whose_quote_opens_highlighted(ui: Server, page: sync_api.Page) -> None:
    open_app(page, ui)
    assert page.locator("h1").first.inner_text() == "Assistant BSG"
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(FR_QUESTION)
    box.press("Enter")
    chips = page.locator('[data-testid="stButtonGroup"] button', has_text=re.compile(r"^\[\d+\]"))
    chips.first.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    settle(page)
    answer = page.get_by_test_id("stChatMessage").nth(1)
    assert answer.inner_text().strip(), "empty answer"
    assert chips.count() >= 1
    assert_no_tracebacks(page)
    shot(page, "01_french_answer_with_citations.png")

    chips.first.click()
    mark = page.locator("mark.mizan-hl").first
    mark.wait_for(state="visible", timeout=60_000)
    settle(page)
    assert len(mark.inner_text().strip()) > 10, "the highlighted quote is empty"
    panel = page.locator('[class*="st-key-mizan-panel"]')
    assert panel.get_by_text("Passage cité").count() == 1
    assert panel.get_by_role("link", name="Ouvrir le document").count() == 1
    assert_no_tracebacks(page)
    shot(page, "02_citation_source_highlighted.png")

    panel.get_by_role("tab", name="Image de la page").click()
    image = panel.locator('[data-testid="stImage"] img')
    image.first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 100", arg=image.first.element_handle())
    page.wait_for_timeout(600)  # the tab's underline slides over
    shot(page, "03_citation_page_image.png")


def direction(page: sync_api.Page, selector: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).direction")


def test_switching_to_arabic_lays_the_page_out_right_to_left(ui: Server, page: sync_api.Page) -> None:
    open_app(page, ui, "discover")
    assert direction(page, ".stMain") == "ltr"
    page.get_by_role("radio", name="العربية", exact=True).click()
    page.wait_for_function("document.querySelector('h1') && document.querySelector('h1').innerText.includes('اكتشفوا')")
    settle(page)
    assert direction(page, ".stMain") == "rtl" and direction(page, '[data-testid="stSidebar"]') == "rtl"
    assert "lang=ar" in page.url
    title_gap = page.evaluate(  # from the title's last glyph to the right edge of its block: ~0 when right-aligned
        "(() => { const h = document.querySelector('h1'); const r = document.createRange(); r.selectNodeContents(h);"
        " return h.getBoundingClientRect().right - r.getBoundingClientRect().right; })()"
    )
    assert title_gap < 40, f"the title is not right-aligned ({title_gap}px from the right edge)"
    assert_no_tracebacks(page)
    shot(page, "04_arabic_rtl_discover.png")

    # A delegation's question in Arabic: the assistant keeps the Arabic interface and answers in Arabic, right to left.
    page.get_by_role("button", name="متى بدأ المغرب اعتماد الميزانية المستجيبة للنوع الاجتماعي؟").click()
    chips = page.locator('[data-testid="stButtonGroup"] button', has_text=re.compile(r"\[\d+\]"))
    chips.first.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    settle(page)
    assert page.locator("h1").first.inner_text() == "مساعد الميزانية المستجيبة للنوع الاجتماعي"
    assert direction(page, ".stMain") == "rtl"
    answer = page.locator('[class*="st-key-msg-rtl-a-"]').first
    assert "الوثائق" in answer.inner_text()
    assert_no_tracebacks(page)
    shot(page, "05_arabic_question_answered_rtl.png")


def test_a_search_with_a_year_filter_shows_only_that_years_documents(ui: Server, page: sync_api.Page) -> None:
    open_app(page, ui, "search")
    page.get_by_label("Que cherchez-vous ?").fill("rapport budget genre ministères")
    upper = page.get_by_role("slider", name="Années de publication — end")
    assert upper.input_value() == "2026"
    upper.focus()
    for _ in range(2):  # as a keyboard user would: the upper bound down to 2024
        upper.press("ArrowLeft")
    assert upper.input_value() == "2024"
    page.get_by_role("button", name="Rechercher").click()
    settle(page)
    metas = page.locator('[data-testid="stCaptionContainer"]', has_text=" · p. ").all_inner_texts()
    assert metas, "no results"
    assert all("2024" in m for m in metas), metas
    assert page.locator("mark.mizan-term").count() > 0, "query words are not highlighted in the snippets"
    assert_no_tracebacks(page)
    shot(page, "06_search_year_2024.png")
    page.get_by_role("button", name="Voir la page").first.click()
    page.locator("mark.mizan-hl").first.wait_for(state="visible")
    settle(page)
    shot(page, "07_search_result_page.png")


INDICATOR = {  # one indicator a ministry might write, in each interface language's words
    "fr": "Nombre de stagiaires formés",
    "en": "Number of trainees trained",
    "ar": "عدد المتدربين المكونين",
}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_indicator_workbench_reviews_an_indicator_in_each_language(
        ui: Server, page: sync_api.Page, lang: str) -> None:
    """The ministry staff's job in a real browser: an indicator reviewed against the criteria, each verdict cited."""
    open_app(page, ui, f"indicators?lang={lang}")
    page.get_by_test_id("stTextArea").locator("textarea").first.fill(INDICATOR[lang])
    page.locator('[data-testid="stFormSubmitButton"] button').first.click()
    verdicts = page.locator('[class*="st-key-verdict-"]')
    verdicts.first.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    settle(page)
    assert verdicts.count() == 8, verdicts.count()
    assert page.locator('[class*="st-key-open-verdict-"]').count() >= 1, "no verdict cites a passage"
    assert direction(page, ".stMain") == ("rtl" if lang == "ar" else "ltr")
    assert_no_tracebacks(page)
    shot(page, f"08_indicator_review_{lang}.png")


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_search_offers_export_and_figures_in_each_language(ui: Server, page: sync_api.Page, lang: str) -> None:
    """The researcher's job: results exported as references; the delegation's and staff's pages alike in AR."""
    open_app(page, ui, f"search?lang={lang}")
    page.get_by_test_id("stTextInput").locator("input").first.fill("indicateurs sensibles au genre")
    page.locator('[data-testid="stFormSubmitButton"] button').first.click()
    download = page.locator('.st-key-search-export button')
    download.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    settle(page)
    with page.expect_download() as fetched:
        download.click()
    assert fetched.value.suggested_filename == "mizan-references.bib"
    assert "@" in Path(fetched.value.path()).read_text(encoding="utf-8")[:10]
    assert_no_tracebacks(page)
    shot(page, f"09_search_export_{lang}.png")
