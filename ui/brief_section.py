"""The delegation brief on the Discover page: pick a topic, get 5-8 quoted points in time order, download them."""

from __future__ import annotations

import html

import streamlit as st

from ui import common
from ui.api_client import ApiError
from ui.i18n import current_language, labels_for, t

TOPICS = ("institutions", "legal_basis", "tools", "gender_report", "results", "lessons")
STATE = "discover_brief"


def brief_section() -> None:
    lang = current_language()
    st.subheader(t("brief.title"))
    st.caption(t("brief.caption"))
    with st.container(horizontal=True, vertical_alignment="bottom"):
        topic = st.selectbox(t("brief.topic"), TOPICS, format_func=labels_for("brief.topic", TOPICS).__getitem__,
                             key="brief-topic")
        if st.button(t("brief.button"), icon=":material/description:", key="brief-make", type="primary"):
            try:
                with st.spinner(t("assistant.thinking")):
                    st.session_state[STATE] = common.client().brief(topic, language=lang)
            except ApiError as exc:
                st.session_state.pop(STATE, None)
                common.show_error(exc)
    brief = st.session_state.get(STATE)
    if not brief:
        return
    with st.container(border=True, key="brief-result"):
        st.markdown(f"**{common.escape_markdown(brief['title'])}**")
        if not brief["bullets"]:
            st.warning(t("brief.empty"), icon=":material/search_off:")
        for bullet in brief["bullets"]:
            c = bullet["citation"]
            year = f"<b>{bullet['year']}</b> — " if bullet["year"] else ""
            note = f" <i>({html.escape(bullet['language_note'])})</i>" if bullet["language_note"] else ""
            st.html(f'<div class="mizan-quote" dir="auto">{year}{html.escape(bullet["quote"])}{note}</div>')
            where = common.where(c["page"], c["locator"])
            st.caption(common.escape_markdown(f"[{bullet['n']}] {c['title']} · {where}"))
        with st.container(horizontal=True):
            st.download_button(
                t("brief.download"), data=brief["markdown"], mime="text/markdown",
                file_name=f"mizan-brief-{brief['topic']}-{brief['language']}.md", icon=":material/download:",
                key="brief-download", on_click="ignore",
            )
            st.download_button(  # printed by the API only when asked: Chromium takes a second or two
                t("brief.download_pdf"), data=lambda: _pdf(brief["topic"], brief["language"]),
                mime="application/pdf", file_name=f"mizan-brief-{brief['topic']}-{brief['language']}.pdf",
                icon=":material/picture_as_pdf:", key="brief-download-pdf", on_click="ignore",
            )


def _pdf(topic: str, language: str) -> bytes:
    return common.client().brief_pdf(topic, language=language)
