"""What every page shares: the API client, error messages, direction and style, highlighting, the source panel."""

from __future__ import annotations

import html
import mimetypes
import re
from pathlib import PurePosixPath
from typing import Any

import streamlit as st

from core.contract import DocumentSummary
from core.text import fold
from ui.api_client import (
    ApiAuthError,
    ApiError,
    ApiNotFound,
    ApiUnavailable,
    ApiValidationError,
    MizanClient,
)
from ui.i18n import is_rtl, t
from ui.settings import get_ui_settings

# --- the client, cached lookups ---------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _client(url: str) -> MizanClient:
    return MizanClient(url, timeout=get_ui_settings().api_timeout)


def client() -> MizanClient:
    return _client(get_ui_settings().api_url)


@st.cache_data(ttl=5, show_spinner=False)
def _health(url: str) -> dict[str, Any]:
    try:
        return _client(url).health()
    except ApiError as exc:
        return {"problem": exc.detail}


def health() -> dict[str, Any]:
    """The API's /health (documents, llm, uploads_enabled), or {"problem": why not}; read at most every 5 s."""
    return _health(get_ui_settings().api_url)


@st.cache_data(ttl=30, show_spinner=False)
def _catalogue(url: str) -> list[dict[str, Any]]:
    return [d.model_dump() for d in _client(url).documents()]


def catalogue() -> list[DocumentSummary]:
    """Every indexed document (cached briefly; raises ApiError)."""
    return [DocumentSummary.model_validate(d) for d in _catalogue(get_ui_settings().api_url)]


def forget_catalogue() -> None:
    """After an upload or a deletion: the next look at the catalogue (and the document count) asks the API."""
    _catalogue.clear()
    _health.clear()


def document_info(doc_id: str) -> DocumentSummary | None:
    try:
        return next((d for d in catalogue() if d.doc_id == doc_id), None)
    except ApiError:
        return None


@st.cache_data(ttl=300, show_spinner=False, max_entries=64)
def _page_image(url: str, doc_id: str, page: int) -> bytes | None:
    return _client(url).page_image(doc_id, page)


def page_image(doc_id: str, page: int) -> bytes | None:
    return _page_image(get_ui_settings().api_url, doc_id, page)


# --- errors -----------------------------------------------------------------------------------------------


def error_message(exc: ApiError) -> str:
    if isinstance(exc, ApiUnavailable):
        return t("err.unavailable", url=client().base_url)
    if isinstance(exc, ApiAuthError):
        return t("err.auth", detail=exc.detail)
    if isinstance(exc, ApiValidationError):
        return t("err.validation", detail=exc.detail)
    if isinstance(exc, ApiNotFound):
        return t("err.not_found", detail=exc.detail)
    return t("err.server", detail=exc.detail)


def show_error(exc: ApiError) -> None:
    icon = ":material/cloud_off:" if isinstance(exc, ApiUnavailable) else (
        ":material/key_off:" if isinstance(exc, ApiAuthError) else ":material/error:"
    )
    st.error(error_message(exc), icon=icon)


# --- direction and style ----------------------------------------------------------------------------------

_BASE_CSS = """
<style>
.stMain .stMainBlockContainer { padding-top: 4rem; }
/* Each paragraph takes the direction of its own text: an Arabic quote in a French answer reads right to left. */
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"] p { unicode-bidi: plaintext; text-align: start; }
.mizan-page {
  position: relative; white-space: pre-wrap; line-height: 1.6; font-size: 0.95rem; padding: 0.75rem 1rem;
  border-radius: 0.5rem;
  background: var(--st-secondary-background-color, #f6f7f9); max-height: 55vh; overflow-y: auto;
  unicode-bidi: plaintext;
}
.mizan-quote {
  border-inline-start: 4px solid #d4a017; padding: 0.4rem 0.8rem; margin: 0.2rem 0 0.6rem 0;
  background: #fffbe8; border-radius: 0.25rem; unicode-bidi: plaintext; line-height: 1.55;
}
.mizan-snippet { line-height: 1.55; unicode-bidi: plaintext; color: inherit; }
mark.mizan-hl { background: #ffe066; color: inherit; padding: 0.05em 0.1em; border-radius: 0.2em; }
mark.mizan-term { background: #fff1a8; color: inherit; padding: 0 0.1em; border-radius: 0.2em; }
.mizan-meta { color: #5f6470; font-size: 0.88rem; }
/* The source panel stays in view (below the header, above the chat box) while the conversation or the results
   scroll; the column beside it is at least a screen tall, so there is always room for it to stick. */
[data-testid="stColumn"]:has([class*="st-key-mizan-panel"]) { position: sticky; top: 3.75rem; align-self: flex-start; }
[class*="st-key-mizan-panel"] { max-height: calc(100vh - 12.5rem); overflow-y: auto; }
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [class*="st-key-mizan-panel"])
  > [data-testid="stColumn"]:first-child { min-height: calc(100vh - 6rem); }
[class*="st-key-mizan-panel"] .mizan-page { max-height: 42vh; }
[class*="st-key-msg-rtl"] { direction: rtl; }
[class*="st-key-msg-ltr"] { direction: ltr; }
[class*="st-key-doc-row-"] { padding: 0.5rem 0.9rem; }
.mizan-year { font-size: 1.8rem; font-weight: 700; color: #7a3e9d; line-height: 1.1; }
</style>
"""

_RTL_CSS = """
<style>
/* .stMain: the main area, whose test id changes on pages with a chat box */
.stMain, [data-testid="stSidebar"], [data-testid="stBottom"] { direction: rtl; }
.stMain h1, .stMain h2, .stMain h3, .stMain h4, [data-testid="stSidebar"] h3 { text-align: right; }
[data-testid="stChatInput"] textarea { direction: rtl; text-align: right; }
.stMain, [data-testid="stSidebar"], [data-testid="stBottom"] {
  font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", Tahoma, "Source Sans Pro", sans-serif;
}
</style>
"""


def apply_style(lang: str) -> None:
    """The shared style, and right-to-left layout of the main area and sidebar when the interface is Arabic."""
    st.html(_BASE_CSS + (_RTL_CSS if is_rtl(lang) else ""))


_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def text_direction(text: str) -> str:
    """'rtl' when Arabic letters outnumber Latin ones."""
    return "rtl" if len(_ARABIC.findall(text)) > len(_LATIN.findall(text)) else "ltr"


def answer_direction(language: str, text: str) -> str:
    return "rtl" if language == "ar" else "ltr" if language in ("fr", "en") else text_direction(text)


# --- text rendering ----------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")
_MARKER = re.compile(r"\\\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\\\]")


def escape_markdown(text: str) -> str:
    """Literal text in Markdown: no emphasis, links, LaTeX ($) or HTML from document words."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """An answer's Markdown: list lines kept, words literal, citation markers [n] shown as small badges."""
    escaped = escape_markdown(text)
    return _MARKER.sub(lambda m: " ".join(f":orange-badge[{n.strip()}]" for n in re.split(r"[,;]", m[1])), escaped)


def where(page: int, locator: str = "") -> str:
    """How a passage is cited: its page, or a Word file's heading path (short) when the file has no pages."""
    return short(locator.split(" › ")[-1] if locator else "", 40) if locator else t("source.page", n=page)


def short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote (its first stretch, when it joins several with " … ") stands in a page, spaces aside."""
    first = quote.split(" … ")[0].strip().strip("«»“”\"").strip()
    words = first.split()
    if len(words) < 3:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return match.span() if match else None


def page_html(text: str, span: tuple[int, int | None] | None) -> str:
    """A page's text with `span` (end None: to the page's end) marked; it scrolls to the mark when shown."""
    if span is None or span[0] >= len(text):
        return f'<div class="mizan-page" dir="auto">{html.escape(text)}</div>'
    start = max(0, span[0])
    end = len(text) if span[1] is None else min(len(text), span[1])
    return (
        f'<div class="mizan-page" dir="auto">{html.escape(text[:start])}'
        f'<mark class="mizan-hl">{html.escape(text[start:end])}</mark>{html.escape(text[end:])}</div>'
    )


_SCROLL_TO_MARK = """<script>
setTimeout(() => {
  for (const box of document.querySelectorAll('.mizan-page')) {
    const mark = box.querySelector('mark.mizan-hl');
    if (mark) box.scrollTop = Math.max(0, mark.offsetTop - 48);
  }
}, 150);
</script>"""

_STOP_WORDS = frozenset(
    "les des une un le la du de et en au aux pour par sur dans est sont qui que quoi quel quelle comment "
    "the and for with what how when which does are was were from into that this of to in on is a an "
    "في من على إلى عن ما هو هي التي الذي كيف متى هل".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(word: str) -> str:
    """core.text.fold, then the Arabic spellings a question and a passage may differ by, without the article."""
    folded = re.sub("[أإآ]", "ا", fold(word)).replace("ة", "ه").replace("ى", "ي")
    return folded[2:] if folded.startswith("ال") and len(folded) > 4 else folded


def query_terms(query: str) -> list[str]:
    """Folded stems of the query's content words (a prefix long enough to catch plurals and inflections)."""
    terms = []
    for word in _WORD.findall(query):
        if len(word) < 3 or word.casefold() in _STOP_WORDS or word.isdigit() and len(word) < 4:
            continue
        folded = _fold(word)
        stem = folded[: max(4, len(folded) - 2)] if len(folded) > 4 else folded
        if stem not in terms:
            terms.append(stem)
    return terms


def term_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    if not terms:
        return []
    spans = []
    for match in _WORD.finditer(text):
        folded = _fold(match[0])
        if any(folded.startswith(term) for term in terms):
            spans.append(match.span())
    return spans


def snippet_html(text: str, query: str, limit: int = 420) -> str:
    """A window of `text` around the first query word, each query word marked."""
    text = " ".join(text.split())
    spans = term_spans(text, query_terms(query))
    start = 0
    if len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - limit // 4, len(text) - limit))
        if start:
            start = text.find(" ", start) + 1 or start
    end = min(len(text), start + limit)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    parts, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(html.escape(text[cursor:s]))
        parts.append(f'<mark class="mizan-term">{html.escape(text[s:e])}</mark>')
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    body = ("… " if start else "") + "".join(parts) + (" …" if end < len(text) else "")
    return f'<div class="mizan-snippet" dir="auto">{body}</div>'


# --- the source panel ---------------------------------------------------------------------------------------


def open_source(
    state_key: str, *, doc_id: str, title: str, file: str, page: int,
    span: tuple[int, int | None] | None = None, quote: str = "", label: str = "",
) -> None:
    """Show a page of a document in the panel `state_key` (the quoted span highlighted on the cited page)."""
    st.session_state[state_key] = {
        "doc_id": doc_id, "title": title, "file": file, "page": page, "cited_page": page,
        "span": list(span) if span else None, "quote": quote, "label": label,
    }


def close_source(state_key: str, widget_keys: list[str] | None = None) -> None:
    st.session_state.pop(state_key, None)
    for key in widget_keys or []:
        st.session_state[key] = None


def _turn(state_key: str, delta: int) -> None:
    source = st.session_state.get(state_key)
    if source:
        source["page"] = max(1, source["page"] + delta)


def _back_to_cited(state_key: str) -> None:
    source = st.session_state.get(state_key)
    if source:
        source["page"] = source["cited_page"]


def download_button(doc_id: str, file_name: str, key: str, *, icon_only: bool = False) -> None:
    """Downloads the original file, fetched from the API only when clicked."""
    name = PurePosixPath(file_name).name or f"{doc_id}.bin"
    api = client()
    st.download_button(
        "" if icon_only else t("source.download"), data=lambda: api.file(doc_id), file_name=name,
        mime=mimetypes.guess_type(name)[0] or "application/octet-stream", key=key, icon=":material/download:",
        on_click="ignore", help=f"{t('source.download')} — {name}",
    )


def source_panel(state_key: str, *, widget_keys: list[str] | None = None) -> None:
    """The open source: title, page, the page text with the quote marked, the PDF page image, the file."""
    source = st.session_state.get(state_key)
    if not source:
        return
    api = client()
    doc = document_info(source["doc_id"])
    total = doc.pages if doc and doc.pages else None
    page = source["page"] if not total else min(source["page"], total)
    on_cited = page == source["cited_page"]
    span = tuple(source["span"]) if on_cited and source.get("span") else None
    with st.container(key=f"mizan-panel-{state_key}", border=True):
        head, close = st.columns([6, 1], vertical_alignment="top")
        label = f"{source['label']} " if source.get("label") else ""
        head.markdown(f"**{escape_markdown(label + source['title'])}**")
        close.button(
            "", icon=":material/close:", help=t("source.close"), key=f"{state_key}-close", type="tertiary",
            on_click=close_source, args=(state_key, widget_keys),
        )
        try:
            page_text = api.page(
                source["doc_id"], page,
                start=span[0] if span else None, end=span[1] if span and span[1] is not None else None,
            )
        except ApiError as exc:
            show_error(exc)
            return
        total = total or page_text.pages or None
        where = t("source.page_of", n=page, total=total) if total else t("source.page", n=page)
        if page_text.label:  # a Word file: its section's heading path says where this is, not a page number
            where = f"§ {page}/{total} · {page_text.label}" if total else f"§ {page} · {page_text.label}"
        st.caption(" · ".join(escape_markdown(m) for m in (PurePosixPath(source["file"]).name, where) if m))
        _toolbar(state_key, source, page, total, on_cited)
        if on_cited and source.get("quote"):
            st.html(
                f'<div class="mizan-quote" dir="auto"><b>{html.escape(t("source.quote"))}</b><br>'
                f'{html.escape(source["quote"])}</div>'
            )
        highlight = None
        if on_cited:
            marked = page_text.highlight
            highlight = (marked.start, marked.end) if marked else span or find_quote(page_text.text, source.get("quote", ""))
        text_tab, image_tab = st.tabs([t("source.text"), t("source.image")])
        with text_tab:
            if on_cited and source.get("quote") and highlight is None:
                st.caption(t("source.no_span"))
            st.html(page_html(page_text.text, highlight) + _SCROLL_TO_MARK, unsafe_allow_javascript=True)
        with image_tab:
            try:
                image = page_image(source["doc_id"], page)
            except ApiError as exc:
                show_error(exc)
                image = None
            if image:
                st.image(image, caption=where, width="stretch")
            else:
                st.caption(t("source.no_image"))


def _toolbar(state_key: str, source: dict[str, Any], page: int, total: int | None, on_cited: bool) -> None:
    """Previous and next page (arrows mirrored in Arabic), back to the cited page, open and download the file."""
    back, forward = (":material/chevron_right:", ":material/chevron_left:") if is_rtl() else (
        ":material/chevron_left:", ":material/chevron_right:")
    with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
        st.button("", icon=back, help=t("source.prev"), key=f"{state_key}-prev", disabled=page <= 1,
                  on_click=_turn, args=(state_key, -1))
        st.button("", icon=forward, help=t("source.next"), key=f"{state_key}-next",
                  disabled=bool(total and page >= total), on_click=_turn, args=(state_key, 1))
        if not on_cited:
            st.button("", icon=":material/undo:", help=t("source.back_to_cited"), key=f"{state_key}-cited",
                      on_click=_back_to_cited, args=(state_key,))
        st.link_button(t("source.open_file"), client().file_url(source["doc_id"], page), icon=":material/open_in_new:")
        download_button(source["doc_id"], source["file"], key=f"{state_key}-download", icon_only=True)


def page_header(title: str, caption: str) -> None:
    st.title(title)
    st.caption(caption)
