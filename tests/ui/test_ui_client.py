"""The UI's building blocks without a browser: the API client's parsing and errors, labels, highlighting, layering."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import httpx
import pytest

from core.contract import Answer, Filters
from ui import common
from ui.api_client import (
    ApiAuthError,
    ApiNotFound,
    ApiServerError,
    ApiUnavailable,
    ApiValidationError,
    ChatFinal,
    ChatToken,
    MizanClient,
)
from ui.i18n import LANGUAGES

UI = Path(__file__).resolve().parents[2] / "ui"
ANSWER = {
    "text": "Passages :\n- « Un indicateur mesure $5 [1]", "language": "fr", "refused": False,
    "citations": [{"n": 1, "doc_id": "d1", "file": "guide.pdf", "title": "Guide", "page": 2, "quote": "Un indicateur",
                   "chunk_id": "c1", "score": 0.9, "quote_span": [10, 23]}],
    "nearest_documents": [], "strategy": "extractive", "standalone_question": "q", "session_id": "s1",
}


def _client(handler) -> MizanClient:  # noqa: ANN001
    return MizanClient("http://api.test", transport=httpx.MockTransport(handler))


def test_chat_stream_yields_tokens_then_the_checked_answer() -> None:
    body = (
        'event: token\ndata: {"text": "Passages "}\n\n'
        ": keep-alive\n\n"
        'event: token\ndata: {"text": ":"}\n\n'
        f"event: final\ndata: {json.dumps(ANSWER)}\n\n"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content) == {"question": "Q ?", "session_id": "s0"}
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    events = list(_client(handler).chat("Q ?", session_id="s0"))
    assert [e.text for e in events if isinstance(e, ChatToken)] == ["Passages ", ":"]
    final = events[-1]
    assert isinstance(final, ChatFinal)
    assert final.answer.session_id == "s1" and final.answer.citations[0].quote_span == (10, 23)


def test_chat_error_event_and_http_errors_become_typed_errors() -> None:
    def error_event(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text='event: error\ndata: {"detail": "model crashed"}\n\n',
                              headers={"content-type": "text/event-stream"})

    with pytest.raises(ApiServerError, match="model crashed"):
        list(_client(error_event).chat("Q"))

    def not_a_stream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"text": "a proxy's page, not the API's events"})

    with pytest.raises(ApiServerError, match="event stream"):
        list(_client(not_a_stream).chat("Q"))

    def refused(request: httpx.Request) -> httpx.Response:
        detail = [{"loc": ["body", "question"], "msg": "String should have at least 1 character"}]
        return httpx.Response(422, json={"detail": detail})

    with pytest.raises(ApiValidationError, match="question: String should have at least 1 character"):
        list(_client(refused).chat(""))


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ApiAuthError), (403, ApiAuthError), (404, ApiNotFound), (413, ApiValidationError),
     (415, ApiValidationError), (422, ApiValidationError), (500, ApiServerError), (503, ApiServerError)],
)
def test_status_codes_map_to_typed_errors_with_the_servers_words(status: int, error: type) -> None:
    client = _client(lambda request: httpx.Response(status, json={"detail": f"because {status}"}))
    with pytest.raises(error, match=f"because {status}") as caught:
        client.delete("doc", api_key="k")
    assert caught.value.status == status


def test_unreachable_api_is_reported_not_raised_raw() -> None:
    from tests.support.ui_harness import free_port

    client = MizanClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ApiUnavailable, match="cannot be reached"):
        client.health()
    with pytest.raises(ApiUnavailable):
        list(client.chat("Q"))


def test_requests_follow_the_contract() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/search":
            return httpx.Response(200, json={"query": "q", "mode": "hybrid", "hits": [], "groups": None, "took_ms": 1})
        if request.url.path == "/documents" and request.method == "POST":
            accepted = {"job_id": "j1", "status": "queued", "file_name": "a.md", "status_url": "/jobs/j1"}
            return httpx.Response(202, json=accepted)
        return httpx.Response(201, json={"id": 1})

    client = _client(handler)
    client.search("q", k=5, filters=Filters(languages=["fr"], doc_types=["guide"], year_from=2020), by_doc=False)
    assert client.upload([("a.md", b"# A", "text/markdown")], api_key="secret") == ["j1"]
    client.feedback(rating=-1, question="q", answer=Answer.model_validate(ANSWER), comment="", session_id="s1")
    search, upload, feedback = seen
    assert json.loads(search.content) == {
        "query": "q", "k": 5, "mode": "hybrid", "by_doc": False,
        "filters": {"languages": ["fr"], "doc_types": ["guide"], "year_from": 2020, "year_to": None},
    }
    assert upload.headers["X-API-Key"] == "secret" and b'name="file"; filename="a.md"' in upload.content
    body = json.loads(feedback.content)
    assert body["rating"] == -1 and body["comment"] is None and body["citations"][0]["n"] == 1
    assert body["session_id"] == "s1" and body["strategy"] == "extractive"


def test_every_label_exists_in_the_three_languages_with_the_same_placeholders() -> None:
    from test_ui_i18n import catalogues

    by_language = catalogues()
    for key in by_language["fr"]:
        entry = {lang: by_language[lang][key] for lang in LANGUAGES}
        assert all(text.strip() for texts in entry.values() for text in texts), key
        placeholders = {lang: set(re.findall(r"\{(\w+)\}", texts[-1])) for lang, texts in entry.items()}
        assert len({frozenset(p) for p in placeholders.values()}) == 1, (key, placeholders)  # the "other" form


def test_every_label_the_pages_ask_for_is_defined() -> None:
    from test_ui_i18n import catalogues

    used: set[str] = set()
    for path in [*UI.glob("*.py"), *UI.glob("views/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("t", "tn") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add(arg.value)
    assert used, "no t('...') call found"
    assert sorted(used - set(catalogues()["fr"])) == []


def test_the_ui_reaches_the_index_only_through_http() -> None:
    for path in [*UI.glob("*.py"), *UI.glob("views/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                assert top not in {"assistant", "index", "ingest", "qdrant_client", "evaluation"}, (path.name, name)
                assert top != "mizan", (path.name, name)  # core.settings is allowed; the CLI is not


def test_page_text_marks_the_quoted_span_and_escapes_the_rest() -> None:
    html = common.page_html("a <b> quoted words here", (6, 18))
    assert '<mark class="mizan-hl">quoted words</mark>' in html and "&lt;b&gt;" in html
    assert '<mark class="mizan-hl">words here</mark>' in common.page_html("quoted words here", (7, None))
    assert "<mark" not in common.page_html("short", None)
    page = "Titre\nUn indicateur  sensible au\ngenre mesure un écart. Suite."
    start, end = common.find_quote(page, "« Un indicateur sensible au genre mesure » … autre")
    assert page[start:end] == "Un indicateur  sensible au\ngenre mesure"
    assert common.find_quote(page, "absent de la page") is None


def test_snippets_mark_query_words_across_inflections_and_scripts() -> None:
    snippet = common.snippet_html("Les indicateurs sensibles au genre <script>x</script>", "indicateur sensible genre")
    assert snippet.count('<mark class="mizan-term">') == 3 and "&lt;script&gt;" in snippet
    arabic = common.snippet_html("تعتمد الميزانية المستجيبة للنوع الاجتماعي", "ميزانية النوع")
    assert '<mark class="mizan-term">الميزانية</mark>' in arabic


def test_answers_keep_their_lists_and_show_markers_as_badges() -> None:
    md = common.answer_markdown("Passages :\n- « coût de 5 $ et *x* » [1][2]\n- autre [3, 4]")
    assert md.startswith("Passages :\n- ")
    assert r"5 \$" in md and r"\*x\*" in md
    assert ":orange-badge[1]:orange-badge[2]" in md and ":orange-badge[3] :orange-badge[4]" in md
    assert common.text_direction("ما هو دور المركز؟") == "rtl" and common.text_direction("Quel rôle ?") == "ltr"
