"""Search: passages or documents for a query, filtered by type, language and years, each page one click away."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.contract import DOC_TYPES, DocumentHits, Filters, Hit
from core.contract import LANGUAGES as CONTENT_LANGUAGES
from ui import common
from ui.api_client import ApiError
from ui.i18n import doc_type_label, labels_for, language_label, t, tn
from ui.settings import get_ui_settings

PANEL = "search_source"
PARAMS = "search_params"
MODES = ("hybrid", "dense", "sparse")
EXPORT_FORMATS = ("bib", "ris", "csv")
VIEWS = ("passages", "documents", "figures")


def _filters(filters: tuple) -> Filters:
    """The hashable (languages, doc_types, year_from, year_to) the cached calls take, as the client's filters."""
    languages, doc_types, year_from, year_to = filters
    return Filters(languages=list(languages), doc_types=list(doc_types), year_from=year_from, year_to=year_to)


@st.cache_data(ttl=120, show_spinner=False, max_entries=64)
def _search(url: str, query: str, k: int, mode: str, filters: tuple, by_doc: bool) -> list[dict[str, Any]]:
    results = common._client(url).search(
        query, k=k, mode=mode, by_doc=by_doc, filters=_filters(filters),  # type: ignore[arg-type]
    )
    return [r.model_dump() for r in results]


@st.cache_data(ttl=120, show_spinner=False, max_entries=32)
def _export(url: str, references: tuple[str, ...], fmt: str) -> str:
    return common._client(url).export_references(list(references), fmt=fmt)


def _export_row(hits: list[Hit]) -> None:
    """The results' documents with their cited pages, for a reference manager (GET /export)."""
    references = tuple(dict.fromkeys(f"{h.doc_id}@{h.page}" for h in hits))
    with st.container(horizontal=True, vertical_alignment="bottom", key="export-row"):
        fmt = st.selectbox(t("search.export_format"), EXPORT_FORMATS, key="search-export-format",
                           format_func=labels_for("search.export", EXPORT_FORMATS).__getitem__, width=220)
        try:
            data = _export(get_ui_settings().api_url, references, fmt)
        except ApiError as exc:
            common.show_error(exc)
            return
        st.download_button(t("search.export"), data, file_name=f"mizan-references.{fmt}", icon=":material/download:",
                           key="search-export", mime="text/plain")


@st.cache_data(ttl=120, show_spinner=False, max_entries=32)
def _facets(url: str, query: str, filters: tuple) -> dict[str, Any]:
    return common._client(url).facets(query, _filters(filters))


def _facets_row(query: str, filters: tuple) -> None:
    """How the topic is covered: documents by type, year, language and source (the researcher's first look)."""
    try:
        counts = _facets(get_ui_settings().api_url, query, filters)
    except ApiError as exc:
        common.show_error(exc)
        return
    labels = {"doc_type": doc_type_label, "language": language_label, "year": str, "source": str}
    with st.expander(t("search.facets") + f" ({counts.get('documents', 0)})", expanded=True):
        columns = st.columns(4)
        for column, facet in zip(columns, ("doc_type", "year", "language", "source")):
            column.markdown(f"**{t('facet.' + facet)}**")
            for value, n in (counts.get(facet) or {}).items():
                shown = value if value == "none" else labels[facet](value)
                column.caption(common.escape_markdown(f"{shown} · {n}"))


@st.cache_data(ttl=120, show_spinner=False, max_entries=32)
def _figures(url: str, query: str, filters: tuple) -> list[dict[str, Any]]:
    return common._client(url).figures(query, _filters(filters))


def _render_figures(query: str, filters: tuple) -> None:
    """The figures the passages give, as a table a researcher can sort and copy: value, unit, year, measure, source."""
    try:
        figures = _figures(get_ui_settings().api_url, query, filters)
    except ApiError as exc:
        common.show_error(exc)
        return
    if not figures:
        st.warning(t("search.no_figures"), icon=":material/search_off:")
        return
    rows = [{
        t("figures.value"): f["value"], t("figures.unit"): f["unit"], t("figures.year"): f["year"],
        t("figures.measure"): f["measure"],
        t("figures.source"): f"{f['title']} · {common.where(f['page'], f['locator'])}", t("figures.sentence"): f["sentence"],
    } for f in figures]
    st.caption(tn("figures.count", len(rows)))
    st.dataframe(rows, hide_index=True, key="figures-table")


def _year_bounds() -> tuple[int, int]:
    years = [d.year for d in common.catalogue() if d.year]
    lo, hi = (min(years), max(years)) if years else (2002, 2026)
    return (lo - 1, hi) if lo == hi else (lo, hi)


def _meta(doc_type: str, year: int | None, language: str | None = None, pages: str | None = None) -> str:
    parts = [doc_type_label(doc_type) if doc_type else "", str(year) if year else t("library.no_year")]
    if language:
        parts.append(language_label(language))
    if pages:
        parts.append(pages)
    return " · ".join(p for p in parts if p)


def _pages_label(hit: Hit) -> str:
    if hit.locator:
        return common.where(hit.page, hit.locator)
    if hit.page_end and hit.page_end != hit.page:
        return f"{t('source.page', n=hit.page)}–{hit.page_end}"
    return t("source.page", n=hit.page)


def _open_hit(hit: dict[str, Any]) -> None:
    found = Hit.model_validate(hit)
    common.open_source(
        PANEL, doc_id=found.doc_id, title=found.title, file=found.file_name, page=found.page, span=found.page_highlight,
    )


def _render_passages(hits: list[Hit], query: str) -> None:
    for hit in hits:
        with st.container(border=True, key=f"hit-{hit.rank}"):
            st.markdown(f"**{hit.rank}. {common.escape_markdown(hit.title)}**")
            meta = _meta(hit.doc_type, hit.year, hit.language, _pages_label(hit))
            ocr = f" :gray-badge[{t('source.ocr')}]" if hit.ocr else ""  # recognised from a scan: may hold errors
            st.caption(common.escape_markdown(meta + (f" · {hit.section}" if hit.section else "")) + ocr)
            st.html(common.snippet_html(hit.text, query))
            st.button(
                t("search.open"), key=f"open-hit-{hit.rank}", icon=":material/article:", type="tertiary",
                on_click=_open_hit, args=(hit.model_dump(),),
            )


def _render_documents(groups: list[DocumentHits], query: str) -> None:
    for g_index, group in enumerate(groups):
        with st.container(border=True, key=f"group-{g_index}"):
            st.markdown(f"**{g_index + 1}. {common.escape_markdown(group.title)}**")
            st.caption(common.escape_markdown(
                _meta(group.doc_type, group.year) + " · " + t("search.passages_in_doc", n=len(group.hits))
            ))
            for hit in group.hits[:2]:
                st.html(common.snippet_html(hit.text, query, limit=280))
            with st.container(horizontal=True, vertical_alignment="center"):
                st.caption(t("search.pages"))
                first_on_page: dict[int, Hit] = {}
                for hit in group.hits:
                    first_on_page.setdefault(hit.page, hit)
                for page in sorted(first_on_page):
                    st.button(
                        t("source.page", n=page), key=f"open-group-{g_index}-{page}", type="secondary",
                        on_click=_open_hit, args=(first_on_page[page].model_dump(),),
                    )


common.page_header(t("search.title"), t("search.caption"))
try:
    lo, hi = _year_bounds()
except ApiError as exc:
    common.show_error(exc)
    st.stop()
if not all(lo <= y <= hi for y in st.session_state.get("search-years", (lo, hi))):
    del st.session_state["search-years"]  # the catalogue changed under a remembered range

with st.form("search-form", border=False, enter_to_submit=True):
    query = st.text_input(
        t("search.query"), placeholder=t("search.placeholder"), key="search-q", persist_state="session", max_chars=2000,
    )
    types_col, langs_col, years_col = st.columns([2, 2, 3])
    doc_types = types_col.multiselect(
        t("search.doc_types"), DOC_TYPES, format_func=labels_for("doc_type", DOC_TYPES).__getitem__,
        key="search-types", placeholder=t("search.all"), persist_state="session",
    )
    languages = langs_col.multiselect(
        t("search.languages"), CONTENT_LANGUAGES, format_func=labels_for("language", CONTENT_LANGUAGES).__getitem__,
        key="search-langs", placeholder=t("search.all"), persist_state="session",
    )
    years = years_col.slider(
        t("search.years"), lo, hi, value=(lo, hi), step=1, key="search-years", persist_state="session",
    )
    with st.expander(t("search.advanced")):
        mode_col, k_col = st.columns(2)
        mode = mode_col.selectbox(
            t("search.mode"), MODES, format_func=labels_for("search.mode", MODES).__getitem__, key="search-mode",
            persist_state="session",
        )
        k = k_col.slider(t("search.k"), 5, 50, 10, step=5, key="search-k", persist_state="session")
    submitted = st.form_submit_button(t("search.button"), type="primary", icon=":material/search:")

if submitted:
    common.close_source(PANEL)
    if query.strip():
        year_from, year_to = (None, None) if tuple(years) == (lo, hi) else years
        st.session_state[PARAMS] = {
            "query": query.strip(), "k": k, "mode": mode,
            "filters": (tuple(languages), tuple(doc_types), year_from, year_to),
        }
    else:
        st.session_state.pop(PARAMS, None)

view = st.segmented_control(
    t("search.view"), VIEWS, format_func=labels_for("search.view", VIEWS).__getitem__, key="search-view",
    default="passages", required=True, persist_state="session",
)

params = st.session_state.get(PARAMS)
if not params:
    st.info(t("search.start"), icon=":material/search:")
    st.stop()

if view == "figures":
    _render_figures(params["query"], params["filters"])
    st.stop()

by_doc = view == "documents"
try:
    with st.spinner(t("assistant.thinking")):
        raw = _search(get_ui_settings().api_url, params["query"], params["k"], params["mode"], params["filters"], by_doc)
except ApiError as exc:
    common.show_error(exc)
    st.stop()

if st.session_state.get(PANEL):
    results_area, panel_area = st.columns([11, 9], gap="medium")
else:
    results_area, panel_area = st.container(), None

with results_area:
    if not raw:
        st.warning(t("search.none"), icon=":material/search_off:")
    elif by_doc:
        groups = [DocumentHits.model_validate(g) for g in raw]
        st.caption(t("search.count", n=sum(len(g.hits) for g in groups), d=len(groups)))
        _facets_row(params["query"], params["filters"])
        _export_row([hit for group in groups for hit in group.hits])
        _render_documents(groups, params["query"])
    else:
        hits = [Hit.model_validate(h) for h in raw]
        st.caption(t("search.count", n=len(hits), d=len({h.doc_id for h in hits})))
        _export_row(hits)
        _render_passages(hits, params["query"])

if panel_area is not None:
    with panel_area:
        common.source_panel(PANEL)
