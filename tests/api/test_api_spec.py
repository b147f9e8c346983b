"""The API keeps the OpenAPI spec it publishes: schemathesis generates requests from /openapi.json and checks each
answer against it, over the live server of test_api_server (same fixtures: the sample corpus's index, copied).

The read endpoints only (every GET, and POST /search, /ask, /chat, /feedback): uploads and deletions change the
index, and the indicator and brief routes are slow for what they would add. No LLM is configured, so
`strategy: "llm"` is a 422 and no answer waits for a model. Then plain cases of what a first run found.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from test_api_server import _doc_id, api, app, settings  # noqa: F401  (fixtures, used by name)

from assistant.api.export_router import MAX_REFERENCES

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
    allow_header_conformance,
]
WRITES = ["/documents", "/indicators/review", "/indicators/draft", "/indicators/classify", "/brief"]


@pytest.fixture(scope="module")
def spec(api: httpx.Client):  # noqa: F811
    return schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("spec").exclude(method="DELETE").exclude(method="POST", path=WRITES)


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 renames the test after each operation through `node._nodeid`, which pytest 9.2 dropped."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def _refused_by_design(case: schemathesis.Case) -> bool:
    """Valid by the spec, refused by this server with a 422 the route declares: `strategy: "llm"` on a server
    without an LLM, and more than MAX_REFERENCES references to /export (commas inside values: no schema says it)."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.path in ("/ask", "/chat"):
        return body.get("strategy") == "llm"
    if case.path == "/export":
        ids = (case.query or {}).get("ids") or []
        values = ids if isinstance(ids, list) else [ids]
        return sum(len([r for r in str(v).split(",") if r.strip()]) for v in values) > MAX_REFERENCES
    return False


@schema.parametrize()
@hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_spec(case: schemathesis.Case) -> None:
    excluded = [positive_data_acceptance] if _refused_by_design(case) else []
    case.call_and_validate(checks=CHECKS, excluded_checks=excluded, timeout=120)


# --- what a first run found, as plain cases ------------------------------------------------------------------------


def _guide_page(api: httpx.Client) -> str:  # noqa: F811
    return f"/documents/{_doc_id(api, 'guide_indicateurs_genre.pdf')}/pages/1"


def test_end_without_start_highlights_from_the_start_of_the_page(api: httpx.Client) -> None:  # noqa: F811
    page = api.get(_guide_page(api), params={"end": 10})
    assert page.status_code == 200, page.text
    assert page.json()["highlight"] == {"start": 0, "end": 10}
    whole = api.get(_guide_page(api), params={"end": 10**6}).json()
    assert whole["highlight"] == {"start": 0, "end": len(whole["text"])}


def test_an_inverted_year_range_matches_nothing(api: httpx.Client) -> None:  # noqa: F811
    years = {"year_from": 2025, "year_to": 2015}
    found = api.post("/search", json={"query": "budget genre", "filters": years})
    assert found.status_code == 200 and found.json()["hits"] == [], found.text
    assert api.post("/search", json={"query": "budget genre", "filters": {"year_from": 1900, "year_to": 2100}}).json()["hits"]
    listed = api.get("/documents", params=years)
    assert listed.status_code == 200 and listed.json()["total"] == 0


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/search", {"query": "budget", "by_doc": 0}, ["body", "by_doc"]),
        ("/search", {"query": "budget", "k": "5"}, ["body", "k"]),
        ("/search", {"query": "budget", "filters": {"year_to": "2020"}}, ["body", "filters", "year_to"]),
        ("/feedback", {"rating": True, "question": "q", "answer": "a"}, ["body", "rating"]),
        ("/feedback", {"rating": 1, "question": "q", "answer": "a", "citations": [
            {"n": 1, "doc_id": "d", "file": "f", "title": "t", "page": 1, "quote": "q", "chunk_id": "c", "score": 0.5,
             "quote_span": [0, False]}]}, ["body", "citations", 0, "quote_span", 1]),
    ],
)
def test_json_types_are_kept(api: httpx.Client, path: str, body: dict, loc: list) -> None:  # noqa: F811
    response = api.post(path, json=body)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [loc]


def test_error_bodies_are_what_the_spec_declares(api: httpx.Client) -> None:  # noqa: F811
    spec = api.get("/openapi.json").json()
    error_detail = {"$ref": "#/components/schemas/ErrorDetail"}
    for method, path, url, status in [
        ("get", "/documents/{doc_id}", "/documents/0000000000000000", 404),
        ("get", "/documents/{doc_id}/pages/{page}", _guide_page(api).replace("/pages/1", "/pages/999"), 404),
        ("get", "/jobs/{job_id}", "/jobs/nope", 404),
        ("get", "/export", "/export?ids=0000000000000000", 404),
    ]:
        declared = spec["paths"][path][method]["responses"][str(status)]
        assert declared["content"]["application/json"]["schema"] == error_detail, path
        response = api.request(method, url)
        assert response.status_code == status and isinstance(response.json()["detail"], str), response.text
    # 422s raised by a route have the validation shape FastAPI declares for every 422
    for response, loc in [
        (api.get(_guide_page(api), params={"start": 10**6}), ["query", "start"]),
        (api.get(_guide_page(api), params={"start": 20, "end": 10}), ["query", "end"]),
        (api.post("/chat", json={"question": "budget", "strategy": "llm"}), ["body", "strategy"]),
        (api.get("/export", params={"ids": ",".join(["0000000000000000"] * (MAX_REFERENCES + 1))}), ["query", "ids"]),
    ]:
        assert response.status_code == 422, response.text
        assert [(e["loc"], bool(e["msg"]), e["type"]) for e in response.json()["detail"]] == [(loc, True, "value_error")]
    # a body that is not UTF-8: FastAPI's 400, declared on every route with a body
    unreadable = api.post("/search", content=b'{"query": "\xff"}', headers={"Content-Type": "application/json"})
    assert unreadable.status_code == 400 and isinstance(unreadable.json()["detail"], str)
    assert spec["paths"]["/search"]["post"]["responses"]["400"]["content"]["application/json"]["schema"] == error_detail


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("OPTIONS", "/documents", "GET, POST"), ("PUT", "/documents/abc", "DELETE, GET"), ("GET", "/search", "POST")],
)
def test_a_405_allows_every_method_of_the_path(api: httpx.Client, method: str, path: str, allow: str) -> None:  # noqa: F811
    response = api.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == allow
