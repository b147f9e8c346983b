"""End to end in a real headless Chromium: the API and the UI served on free ports over the sample corpus.

Each step saves a screenshot under reports/e2e/ (git-ignored) so a person can see what the user saw.
Needs Debian's chromium (`apt-get install chromium`) and the playwright Python package; no browser download.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.ui_harness import API_KEY, REPO, Server, start_api, start_ui

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
def api(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Server]:
    server = start_api(tmp_path_factory.mktemp("e2e"), embed_model_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ui(api: Server) -> Iterator[Server]:
    ui = start_ui(api.log.parent, api.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield ui
    ui.stop()


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


BRIEF_TOPIC = {"fr": "institutions", "en": "gender_report", "ar": "legal_basis"}
BRIEF_WORDS = {  # what the reader sees, in the interface language: section title, topic, button, two downloads
    "fr": ("Note pour une délégation", "Le dispositif institutionnel", "Préparer la note",
           "Télécharger (Markdown)", "Télécharger (PDF)"),
    "en": ("Brief for a delegation", "The annual gender budget report", "Prepare the brief",
           "Download (Markdown)", "Download (PDF)"),
    "ar": ("مذكرة لوفد زائر", "الأساس القانوني", "إعداد المذكرة", "تحميل (Markdown)", "تحميل (PDF)"),
}
QUOTED_IN = {("fr", "en"): "cité en anglais", ("fr", "ar"): "cité en arabe", ("en", "fr"): "quoted in French",
             ("en", "ar"): "quoted in Arabic", ("ar", "fr"): "مقتبس بالفرنسية", ("ar", "en"): "مقتبس بالإنجليزية"}
PAGE_LABEL = {"fr": "p. {n}", "en": "p. {n}", "ar": "ص. {n}"}


def choose(page: sync_api.Page, label: str, option: str) -> None:
    """A selectbox's option picked; the list is opened again when a click came before the widget was ready."""
    box, item = page.get_by_test_id("stSelectbox").filter(has_text=label), page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        box.click()
        try:
            item.click(timeout=10_000)
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    settle(page)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_delegation_brief_cites_every_point_and_downloads_in_each_language(
        api: Server, ui: Server, page: sync_api.Page, lang: str) -> None:
    """The delegation's job: a topic chosen on the Discover page, 5-8 quoted points each with its page, the quotes'
    language marked where it is not the reader's, labels in the reader's language, Markdown and PDF to take away."""
    title, topic_label, button, markdown_label, pdf_label = BRIEF_WORDS[lang]
    expected = httpx.post(f"{api.url}/brief", json={"topic": BRIEF_TOPIC[lang], "language": lang}, timeout=300).json()
    open_app(page, ui, f"discover?lang={lang}")
    assert page.get_by_role("heading", name=title).count() == 1
    choose(page, {"fr": "Sujet", "en": "Topic", "ar": "الموضوع"}[lang], topic_label)
    page.get_by_role("button", name=button).click()
    result = page.locator(".st-key-brief-result")
    result.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    settle(page)

    quotes = result.locator(".mizan-quote").all_inner_texts()
    captions = result.get_by_test_id("stCaptionContainer").all_inner_texts()
    assert 5 <= len(quotes) <= 8 and len(quotes) == len(expected["bullets"]) == len(captions), (quotes, captions)
    assert result.get_by_text(expected["title"], exact=True).count() == 1
    for bullet, quote, caption in zip(expected["bullets"], quotes, captions, strict=True):
        c = bullet["citation"]
        assert " ".join(bullet["quote"].split()) in " ".join(quote.split())
        assert caption.startswith(f"[{bullet['n']}] {c['title']} · ")
        assert c["locator"] or caption.endswith(PAGE_LABEL[lang].format(n=c["page"])), caption
        note = QUOTED_IN.get((lang, bullet["quote_language"]))
        if note:
            assert quote.rstrip().endswith(f"({note})"), quote
        else:
            assert not any(marked in quote for marked in QUOTED_IN.values()), quote
    assert direction(page, ".stMain") == ("rtl" if lang == "ar" else "ltr")

    markdown = page.get_by_role("button", name=markdown_label)
    pdf = page.get_by_role("button", name=pdf_label)
    assert markdown.count() == 1 and pdf.count() == 1
    with page.expect_download() as fetched:
        markdown.click()
    assert fetched.value.suggested_filename == f"mizan-brief-{BRIEF_TOPIC[lang]}-{lang}.md"
    assert Path(fetched.value.path()).read_text(encoding="utf-8") == expected["markdown"]
    with page.expect_download(timeout=120_000) as fetched:
        pdf.click()
    assert fetched.value.suggested_filename == f"mizan-brief-{BRIEF_TOPIC[lang]}-{lang}.pdf"
    assert Path(fetched.value.path()).read_bytes().startswith(b"%PDF")
    assert_no_tracebacks(page)
    result.scroll_into_view_if_needed()
    shot(page, f"10_delegation_brief_{lang}.png")


FIGURES_REPORT = (  # a short written report whose figures are known: a rate per year and an amount in dirhams
    "emploi-des-femmes.md",
    "# Emploi des femmes\n\n"
    "Le taux d'activité des femmes s'est établi à 19,8 % en 2023, contre 20,9 % en 2022.\n\n"
    "Les crédits du programme d'appui à l'entrepreneuriat féminin atteignent 250 millions de dirhams en 2024.\n",
)
FIGURES_QUERY = "taux d'activité des femmes et crédits de l'entrepreneuriat féminin"
FIGURES_WORDS = {  # the view's tab and its columns, in the interface language
    "fr": ("Chiffres", "Valeur", "Unité", "Année", "Source"),
    "en": ("Figures", "Value", "Unit", "Year", "Source"),
    "ar": ("الأرقام", "القيمة", "الوحدة", "السنة", "المصدر"),
}


@pytest.fixture(scope="module")
def figures_report(api: Server) -> str:
    """The report uploaded as a user would (POST /documents), once searchable; its title as the index gives it.
    Requested only by the last tests of the module, so the earlier ones see the sample corpus alone."""
    name, text = FIGURES_REPORT
    with httpx.Client(base_url=api.url, headers={"X-API-Key": API_KEY}, timeout=60) as client:
        job = client.post("/documents", files={"file": (name, text.encode(), "text/markdown")}).json()
        for _ in range(600):
            status = client.get(job["status_url"]).json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        assert status["status"] == "done", status
        figures = client.post("/figures", json={"query": FIGURES_QUERY}).json()
    mine = [f for f in figures if f["sentence"] in text]
    assert [(f["value"], f["unit"], f["year"]) for f in mine] == [
        ("19,8 %", "%", 2023), ("20,9 %", "%", 2022), ("250 millions de dirhams", "MDH", 2024)], figures
    return mine[0]["title"]


def table_rows(page: sync_api.Page) -> list[list[str]]:
    """The data grid's cells as its accessible table gives them (the grid itself is drawn on a canvas)."""
    grid = page.get_by_test_id("stDataFrame")
    grid.locator('[role="gridcell"]').first.wait_for(state="attached")
    return [row.locator('[role="gridcell"], [role="columnheader"]').all_inner_texts()
            for row in grid.locator('[role="row"]').all()]


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_figures_view_lists_value_unit_year_and_source_in_each_language(
        ui: Server, page: sync_api.Page, figures_report: str, lang: str) -> None:
    """The researcher's figures view: a query's rates and dirham amounts in a table, each with its year and page."""
    tab, value, unit, year, source = FIGURES_WORDS[lang]
    open_app(page, ui, f"search?lang={lang}")
    page.get_by_test_id("stTextInput").locator("input").first.fill(FIGURES_QUERY)
    page.locator('[data-testid="stFormSubmitButton"] button').first.click()
    settle(page)
    page.get_by_role("radio", name=tab, exact=True).click()  # the view's segmented control
    settle(page)
    rows = table_rows(page)
    header, body = [" ".join(cell.split()) for cell in rows[0]], rows[1:]
    columns = {name: header.index(name) for name in (value, unit, year, source)}
    found = {(r[columns[value]], r[columns[unit]], r[columns[year]]): r[columns[source]] for r in body}
    where = f"{figures_report} · {PAGE_LABEL[lang].format(n=1)}"
    assert found.get(("19,8 %", "%", "2023")) == where, rows
    assert found.get(("250 millions de dirhams", "MDH", "2024")) == where, rows
    assert direction(page, ".stMain") == ("rtl" if lang == "ar" else "ltr")
    assert_no_tracebacks(page)
    shot(page, f"11_figures_{lang}.png")
