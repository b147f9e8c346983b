"""Library: the catalogue (title, type, year, language, pages); open a document page by page, or download it."""

from __future__ import annotations

import streamlit as st

from core.contract import DOC_TYPES, DocumentSummary
from core.contract import LANGUAGES as CONTENT_LANGUAGES
from ui import common
from ui.api_client import ApiError, MizanClient
from ui.i18n import doc_type_label, is_rtl, labels_for, language_label, t

DOC_PARAM = "doc"  # ?doc=<id> opens a document, so a page of the library can be linked to
WIDTHS = [5, 1.2, 0.8, 1.1, 0.7, 2.0]


def _open(doc_id: str) -> None:
    st.query_params[DOC_PARAM] = doc_id


def _close() -> None:
    st.query_params.pop(DOC_PARAM, None)


def _matches(doc: DocumentSummary, text: str, doc_type: str | None, language: str | None) -> bool:
    if doc_type and doc.doc_type != doc_type:
        return False
    if language and doc.language != language:
        return False
    words = common.query_terms(text) if text else []
    haystack = f"{doc.title} {doc.file_name}"
    return all(common.term_spans(haystack, [w]) for w in words)


def _catalogue_view(documents: list[DocumentSummary]) -> None:
    text_col, type_col, lang_col = st.columns([3, 2, 2])
    text = text_col.text_input(
        t("library.filter"), key="library-q", persist_state="session", icon=":material/filter_list:",
    )
    doc_type = type_col.selectbox(
        t("library.col.type"), DOC_TYPES, format_func=labels_for("doc_type", DOC_TYPES).__getitem__, index=None,
        placeholder=t("search.all"), key="library-type", persist_state="session",
    )
    language = lang_col.selectbox(
        t("library.col.language"), CONTENT_LANGUAGES,
        format_func=labels_for("language", CONTENT_LANGUAGES).__getitem__, index=None,
        placeholder=t("search.all"), key="library-lang", persist_state="session",
    )
    shown = [d for d in documents if _matches(d, text, doc_type, language)]
    if not shown:
        st.info(t("library.empty"), icon=":material/search_off:")
        return
    header = st.columns(WIDTHS)
    for col, key in zip(header, ("title", "type", "year", "language", "pages"), strict=False):
        col.markdown(f"**{t(f'library.col.{key}')}**")
    for doc in shown:
        row = st.container(border=True, key=f"doc-row-{doc.doc_id}")
        title, kind, year, lang, pages, actions = row.columns(WIDTHS, vertical_alignment="center")
        title.markdown(f"**{common.escape_markdown(doc.title)}**  \n:gray[{common.escape_markdown(doc.file_name)}]")
        kind.badge(doc_type_label(doc.doc_type), color="violet")
        year.write(str(doc.year) if doc.year else t("library.no_year"))
        lang.write(language_label(doc.language))
        pages.write(str(doc.pages))
        with actions.container(horizontal=True, wrap=False, gap="small", key=f"doc-actions-{doc.doc_id}"):
            st.button(t("library.open"), key=f"open-{doc.doc_id}", on_click=_open, args=(doc.doc_id,),
                      icon=":material/menu_book:")
            common.download_button(doc.doc_id, doc.file_name, key=f"dl-{doc.doc_id}", icon_only=True)


def _similar(api: MizanClient, doc: DocumentSummary) -> None:
    """Documents on the same subject (closest mean passage vectors), each one click away."""
    with st.expander(t("library.similar")):
        try:
            similar = api.similar_documents(doc.doc_id, k=5)
        except ApiError as exc:
            common.show_error(exc)
            return
        if not similar:
            st.caption(t("library.similar_none"))
        for item in similar:
            year = str(item["year"]) if item.get("year") else t("library.no_year")
            st.button(f"{item['title'] or item['file_name']} · {doc_type_label(item['doc_type'])} · {year}",
                      key=f"similar-{item['doc_id']}", on_click=_open, args=(item["doc_id"],), type="tertiary",
                      icon=":material/description:")


def _document_view(doc: DocumentSummary) -> None:
    api = common.client()
    back = ":material/arrow_forward:" if is_rtl() else ":material/arrow_back:"
    st.button(t("library.back"), on_click=_close, icon=back, type="tertiary", key="library-back")
    st.subheader(doc.title)
    st.caption(" · ".join(common.escape_markdown(p) for p in (
        doc_type_label(doc.doc_type), str(doc.year) if doc.year else t("library.no_year"), language_label(doc.language),
        f"{doc.pages} {t('library.col.pages').lower()}", doc.file_name,
    )))
    if doc.source or doc.licence:
        st.caption(common.escape_markdown(" · ".join(
            f"{t(key)}{t('punct.colon')} {value}"
            for key, value in (("library.source", doc.source), ("library.licence", doc.licence)) if value
        )))
    with st.container(horizontal=True):
        common.download_button(doc.doc_id, doc.file_name, key=f"dl-view-{doc.doc_id}")
        st.link_button(t("source.open_file"), api.file_url(doc.doc_id), icon=":material/open_in_new:")
    _similar(api, doc)
    if doc.pages < 1:
        return
    page = st.pagination(doc.pages, key=f"library-page-{doc.doc_id}") if doc.pages > 1 else 1
    try:
        page_text = api.page(doc.doc_id, page)
    except ApiError as exc:
        common.show_error(exc)
        return
    text_col, image_col = st.columns(2, gap="medium")
    with text_col:
        st.markdown(f"**{t('source.page_of', n=page, total=doc.pages)}**")
        st.html(common.page_html(page_text.text, None))
    with image_col:
        try:
            image = common.page_image(doc.doc_id, page)
        except ApiError as exc:
            common.show_error(exc)
            image = None
        if image:
            st.image(image, width="stretch")
        else:
            st.caption(t("source.no_image"))


try:
    catalogue = common.catalogue()
except ApiError as exc:
    common.page_header(t("library.title"), "")
    common.show_error(exc)
    st.stop()

common.page_header(t("library.title"), t("library.caption", n=len(catalogue)))
selected = st.query_params.get(DOC_PARAM)
current = next((d for d in catalogue if d.doc_id == selected), None) if selected else None
if current is not None:
    _document_view(current)
else:
    if selected:
        st.warning(t("err.not_found", detail=selected), icon=":material/search_off:")
    _catalogue_view(catalogue)
