"""Page logic with Streamlit's AppTest, against a real API server on the sample corpus (started once for the module).

Pages run in-process as a user's session would: widgets are set, buttons clicked, and what the page shows is read
back. The Admin tests come last: they add and remove documents in this module's own copy of the index.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.ui_harness import API_KEY, Server, free_port, start_api
from ui.settings import get_ui_settings

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
FR_QUESTION = "Comment formuler un indicateur sensible au genre pour un programme ?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Server]:
    server = start_api(tmp_path_factory.mktemp("ui-pages"), embed_model_path)
    settings = get_ui_settings()
    previous = settings.api_url
    settings.api_url = server.url  # the UI reads the API's address from the process's settings
    yield server
    settings.api_url = previous
    server.stop()


def _app(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=300)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.proto.body for h in at.get("html")]
    parts += [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    return "\n".join(str(p) for p in parts)


def _messages(at: AppTest) -> list[dict]:
    return at.session_state["assistant_messages"]


def test_the_assistant_opens_in_french_with_examples_and_a_healthy_api(api: Server) -> None:
    at = _ok(_app())
    assert at.title[0].value == "Assistant BSG"
    assert any(b.label == FR_QUESTION for b in at.button)
    assert "Service connecté" in _texts(at) and "10 documents indexés" in _texts(at)


def test_a_french_question_streams_a_cited_answer_whose_source_opens_highlighted(api: Server) -> None:
    at = _ok(_app())
    at.chat_input[0].set_value(FR_QUESTION).run()
    _ok(at)
    user, answer = _messages(at)
    assert user["content"] == FR_QUESTION and "error" not in answer, answer
    assert answer["answer"]["language"] == "fr" and answer["answer"]["citations"]
    chips = at.button_group(key="cite-1")
    assert chips.options, "no citation chips under the answer"
    chips.set_value(1).run()
    _ok(at)
    panel = _texts(at)
    cited = answer["answer"]["citations"][0]
    assert cited["title"] in panel and '<mark class="mizan-hl">' in panel
    assert any(b.label == "Ouvrir le document" for b in at.get("link_button"))


def test_feedback_with_a_comment_reaches_the_api(api: Server) -> None:
    at = _ok(_app())
    at.chat_input[0].set_value(FR_QUESTION).run()
    at.feedback(key="fb-1").set_value(0).run()
    at.text_input(key="fb-comment-1").input("Trop long pour une fiche.")
    next(b for b in at.get("form_submit_button") if b.label == "Envoyer l'avis").click().run()
    _ok(at)
    assert _messages(at)[1].get("feedback_sent") is True
    with sqlite3.connect(next(api.log.parent.glob("data")) / "feedback.sqlite3") as db:
        rows = db.execute("SELECT rating, comment, question FROM feedback").fetchall()
    assert (-1, "Trop long pour une fiche.", FR_QUESTION) in rows


def test_a_follow_up_keeps_the_conversation_and_new_conversation_clears_it(api: Server) -> None:
    at = _ok(_app())
    at.chat_input[0].set_value(FR_QUESTION).run()
    session = at.session_state["assistant_session_id"]
    at.chat_input[0].set_value("Et quelle est sa source de vérification ?").run()
    _ok(at)
    assert len(_messages(at)) == 4 and at.session_state["assistant_session_id"] == session
    at.button(key="new-conversation").click().run()
    assert _messages(at) == [] and "assistant_session_id" not in at.session_state


def test_an_unanswerable_question_shows_the_refusal_banner_and_nearest_documents(api: Server) -> None:
    at = _ok(_app())
    at.chat_input[0].set_value("Quelle est la recette du tajine aux pruneaux ?").run()
    _ok(at)
    answer = _messages(at)[1]["answer"]
    assert answer["refused"] is True
    assert any("Je ne trouve pas dans les documents" in w.value for w in at.warning)
    near = answer["nearest_documents"]
    assert near  # the API names the closest documents, and the page shows each as a button to open
    buttons = [b for b in at.button if b.key and b.key.startswith("near-1-")]
    assert [b.key for b in buttons] == [f"near-1-{i}" for i in range(len(near))]
    for button, document in zip(buttons, near):
        assert (document["title"] or document["file"])[:30] in button.label, (button.label, document)


def test_arabic_interface_is_translated_and_right_to_left(api: Server) -> None:
    at = _ok(_app())
    at.button_group(key="lang").set_value("ar").run()
    _ok(at)
    assert at.title[0].value == "مساعد الميزانية المستجيبة للنوع الاجتماعي"
    assert "direction: rtl" in _texts(at)
    at.switch_page("views/search.py").run()
    assert _ok(at).title[0].value == "البحث في الوثائق"


def test_a_delegation_question_runs_in_the_assistant_and_is_answered_in_its_language(api: Server) -> None:
    at = _ok(_app())
    at.switch_page("views/discover.py").run()
    _ok(at)
    assert "2002" in _texts(at) and "130-13" in _texts(at)
    question = "When did Morocco start gender-responsive budgeting?"
    next(b for b in at.button if b.label == question).click().run()
    _ok(at)
    assert at.title[0].value == "Assistant BSG"
    user, answer = _messages(at)
    assert user["content"] == question and answer["answer"]["language"] == "en"


def test_search_with_a_year_filter_returns_only_that_year(api: Server) -> None:
    at = _ok(_app())
    at.switch_page("views/search.py").run()
    at.text_input(key="search-q").input("rapport budget genre ministères")
    at.slider(key="search-years").set_range(2024, 2024)
    at.get("form_submit_button")[0].click().run()
    _ok(at)
    metas = [c.value for c in at.caption if " · p. " in c.value]
    assert metas and all("2024" in m for m in metas), metas
    at.button(key="open-hit-1").click().run()
    assert '<mark class="mizan-hl">' in _texts(_ok(at))


def test_search_results_export_as_references_for_a_reference_manager(api: Server) -> None:
    """The researcher's export: the shown passages' documents and pages, in the chosen format, via GET /export."""
    at = _ok(_app(lang="en"))
    at.switch_page("views/search.py").run()
    at.text_input(key="search-q").input("gender-sensitive indicators")
    at.get("form_submit_button")[0].click().run()
    _ok(at)
    button = at.download_button(key="search-export")
    assert button.label == "Export the references"
    assert button.proto.url, "the file is attached to the button"
    at.selectbox(key="search-export-format").set_value("ris").run()
    _ok(at)
    hits = httpx.post(f"{api.url}/search", json={"query": "gender-sensitive indicators", "k": 10}).json()
    references = ",".join(dict.fromkeys(f"{h['doc_id']}@{h['page']}" for h in hits["hits"]))
    ris = httpx.get(f"{api.url}/export", params={"ids": references, "format": "ris"})
    assert ris.status_code == 200 and ris.text.startswith("TY  -"), ris.text[:200]
    assert at.download_button(key="search-export").proto.url != button.proto.url  # another file: the RIS one


def test_search_groups_by_document_and_explains_an_empty_result(api: Server) -> None:
    at = _ok(_app(lang="en"))
    at.switch_page("views/search.py").run()
    at.text_input(key="search-q").input("gender-sensitive indicators")
    at.get("form_submit_button")[0].click().run()
    at.button_group(key="search-view").set_value("documents").run()
    _ok(at)
    page_buttons = [b for b in at.button if b.key and b.key.startswith("open-group-")]
    assert "Passages: " in _texts(at) and "Pages found" in _texts(at) and page_buttons
    facets = httpx.post(f"{api.url}/facets", json={"query": "gender-sensitive indicators"})  # what the panel shows
    n = facets.json()["documents"]
    assert n >= 1 and any(e.label == f"Documents found, by kind ({n})" for e in at.expander), [e.label for e in at.expander]
    at.button_group(key="search-view").set_value("figures").run()  # the sample documents hold no data
    assert "No figure (rate, dirham amount) in the passages found." in _texts(_ok(at))
    at.button_group(key="search-view").set_value("documents").run()
    at.multiselect(key="search-types").set_value(["loi"])
    at.multiselect(key="search-langs").set_value(["ar"])
    at.get("form_submit_button")[0].click().run()
    assert "Nothing matches" in _texts(_ok(at))


def test_the_library_lists_the_catalogue_and_opens_a_document(api: Server) -> None:
    at = _ok(_app())
    at.switch_page("views/library.py").run()
    _ok(at)
    opens = [b for b in at.button if b.key and b.key.startswith("open-")]
    assert len(opens) == 10
    at.text_input(key="library-q").input("indicateurs").run()
    opens = [b for b in at.button if b.key and b.key.startswith("open-")]
    assert len(opens) == 1
    opens[0].click().run()
    _ok(at)
    assert at.get("subheader")[0].value == "Guide pratique : rédiger des indicateurs de performance sensibles au genre"
    assert "Page 1 sur 5" in _texts(at) and 'class="mizan-page"' in _texts(at)
    at.get("pagination")[0].set_value(2).run()
    assert "Page 2 sur 5" in _texts(_ok(at))
    similar = [b for b in at.button if b.key and b.key.startswith("similar-")]
    assert len(similar) == 5, [b.label for b in at.button]  # other documents on the subject, one click away
    similar[0].click().run()
    assert at.get("subheader")[0].value != "Guide pratique : rédiger des indicateurs de performance sensibles au genre"


def test_an_unreachable_api_gives_readable_messages_not_tracebacks(api: Server) -> None:
    settings = get_ui_settings()
    settings.api_url = f"http://127.0.0.1:{free_port()}"
    try:
        at = _ok(_app())
        assert "Service injoignable" in _texts(at)
        at.chat_input[0].set_value(FR_QUESTION).run()
        assert "Le service Mizan est injoignable" in _texts(_ok(at))
        for page in ("views/search.py", "views/library.py", "views/admin.py"):
            at.switch_page(page).run()
            assert "Le service Mizan est injoignable" in _texts(_ok(at)), page
    finally:
        settings.api_url = api.url


def _wait_for_jobs(at: AppTest, timeout: float = 240) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        jobs = at.session_state["admin_jobs"]
        if jobs and all(j.get("final") for j in jobs):
            return jobs
        time.sleep(2)
    raise AssertionError(f"ingest jobs did not finish: {at.session_state['admin_jobs']}")


def _listed(api: Server) -> set[str]:
    """The documents the API lists, as the UI's server sees them."""
    response = httpx.get(f"{api.url}/documents", timeout=30)
    assert response.status_code == 200
    return {d["doc_id"] for d in response.json()["documents"]}


def test_admin_uploads_follows_the_job_and_deletes_with_the_key(api: Server) -> None:
    at = _ok(_app())
    at.switch_page("views/admin.py").run()
    assert "Saisissez la clé" in _texts(_ok(at))
    at.text_input(key="admin-key").input(API_KEY).run()
    note = (
        "# Note de test sur la parité\n\nCette note de test décrit un programme fictif de formation des "
        "enseignantes rurales. Elle sert uniquement à vérifier l'ajout de documents depuis l'interface.\n"
    )
    at.file_uploader(key="admin-files").set_value(("note_test_ui.md", note.encode(), "text/markdown"))
    at.get("form_submit_button")[0].click().run()
    _ok(at)
    jobs = _wait_for_jobs(at)
    assert jobs[0]["final"]["status"] == "done", jobs
    doc_id = jobs[0]["final"]["doc_ids"][0]
    assert doc_id in _listed(api)
    choice = at.selectbox(key="admin-delete")
    assert doc_id in choice.options or any("note_test_ui" in o for o in choice.options)
    at.selectbox(key="admin-delete").set_value(doc_id).run()
    at.checkbox(key="admin-confirm").check().run()
    at.button(key="admin-delete-button").click().run()
    _ok(at)
    assert any("a été supprimé" in s.value for s in at.success)
    assert doc_id not in _listed(api)  # the API no longer has it, not only the page saying so
    assert httpx.get(f"{api.url}/documents/{doc_id}", timeout=30).status_code == 404


def test_admin_with_a_wrong_key_says_so(api: Server) -> None:
    at = _ok(_app(lang="en"))
    at.switch_page("views/admin.py").run()
    at.text_input(key="admin-key").input("not-the-key").run()
    first = httpx.get(f"{api.url}/documents").json()["documents"][0]["doc_id"]
    at.selectbox(key="admin-delete").set_value(first).run()
    at.checkbox(key="admin-confirm").check().run()
    at.button(key="admin-delete-button").click().run()
    _ok(at)
    assert any("The API key was refused or is missing" in e.value for e in at.error)
