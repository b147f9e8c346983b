"""Indicators: the ministry staff's workbench — review an indicator, draft indicators, suggest a marking code.

Every verdict and every criterion comes with the guide passages it rests on; a click opens the cited page beside
the results, the quote highlighted, as on the Search page.
"""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from ui import common
from ui.api_client import ApiError
from ui.i18n import current_language, labels_for, t

PANEL = "indicators_source"
REVIEW, DRAFT, CLASSIFY = "indicators_review", "indicators_draft", "indicators_classify"
OBJECTIVES = ("principal", "significant", "none")
FIELDS = ("objective", "baseline", "target", "data_source", "frequency")
VERDICT_ICONS = {"pass": ":material/check_circle:", "fail": ":material/cancel:", "to_check": ":material/help:"}
VERDICT_COLOURS = {"pass": "green", "fail": "red", "to_check": "orange"}


def _open(citation: dict[str, Any]) -> None:
    span = citation.get("quote_span")
    common.open_source(PANEL, doc_id=citation["doc_id"], title=citation["title"], file=citation["file"],
                       page=citation["page"], span=tuple(span) if span else None, quote=citation["quote"])


def _citation(citation: dict[str, Any], key: str) -> None:
    """A quoted passage, where it comes from, and a button that opens its page (when it is in the index)."""
    st.html(f'<div class="mizan-quote" dir="auto">{html.escape(citation["quote"])}</div>')
    where = common.where(citation["page"], citation.get("locator", ""))
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(common.escape_markdown(f"{citation.get('title') or citation['file']} · {where}"))
        if citation.get("doc_id"):
            st.button(t("indicators.open"), key=key, icon=":material/article:", type="tertiary",
                      on_click=_open, args=(citation,))


def _call(state_key: str, call: Any, *args: Any, **kwargs: Any) -> None:
    try:
        with st.spinner(t("assistant.thinking")):
            st.session_state[state_key] = call(*args, **kwargs)
    except ApiError as exc:
        st.session_state.pop(state_key, None)
        common.show_error(exc)


def _review_tab(lang: str) -> None:
    with st.form("indicators-review-form", border=False):
        indicator = st.text_area(t("indicators.indicator"), help=t("indicators.indicator_help"), key="ind-text",
                                 max_chars=4000)
        objective = st.text_input(t("indicators.objective"), key="ind-objective", max_chars=4000)
        submitted = st.form_submit_button(t("indicators.review_button"), type="primary", icon=":material/rule:")
    if submitted:
        common.close_source(PANEL)
        if indicator.strip():
            _call(REVIEW, common.client().review_indicator, indicator, objective=objective, language=lang)
        else:
            st.session_state.pop(REVIEW, None)
    review = st.session_state.get(REVIEW)
    if not review:
        st.info(t("indicators.empty"), icon=":material/edit_note:")
        return
    counts = review["counts"]
    st.markdown(t("indicators.counts", passed=counts["pass"], failed=counts["fail"], to_check=counts["to_check"]))
    verdict_labels = labels_for("indicators.verdict", ("pass", "fail", "to_check"))
    for i, verdict in enumerate(review["verdicts"]):
        kind = verdict["verdict"]
        with st.container(border=True, key=f"verdict-{verdict['criterion']}"):
            st.markdown(f":{VERDICT_COLOURS[kind]}[{VERDICT_ICONS[kind]} **{verdict_labels[kind]}**] · "
                        f"**{common.escape_markdown(verdict['label'])}**")
            st.markdown(common.escape_markdown(verdict["reason"]))
            if verdict["found"]:
                st.caption(common.escape_markdown(t("indicators.found", words=", ".join(verdict["found"]))))
            for j, citation in enumerate(verdict["citations"]):
                _citation(citation, key=f"open-verdict-{i}-{j}")


def _draft_tab(lang: str) -> None:
    with st.form("indicators-draft-form", border=False):
        description = st.text_area(t("indicators.description"), help=t("indicators.description_help"),
                                   key="ind-description", max_chars=4000)
        submitted = st.form_submit_button(t("indicators.draft_button"), type="primary", icon=":material/post_add:")
    if submitted:
        common.close_source(PANEL)
        if description.strip():
            _call(DRAFT, common.client().draft_indicators, description, language=lang)
        else:
            st.session_state.pop(DRAFT, None)
    drafts = st.session_state.get(DRAFT)
    if not drafts:
        st.info(t("indicators.empty"), icon=":material/edit_note:")
        return
    field_labels = labels_for("indicators.field", FIELDS)
    for i, indicator in enumerate(drafts["indicators"]):
        with st.container(border=True, key=f"draft-{i}"):
            st.markdown(f"**{i + 1}. {common.escape_markdown(indicator['wording'])}**")
            for field in indicator["fields"]:
                value = common.escape_markdown(field["value"])
                if field["status"] == "to_complete":
                    value = f":orange-badge[{t('indicators.to_complete')}] {value}"
                st.markdown(f"- {field_labels.get(field['name'], field['name'])}{t('punct.colon')} {value}")
            st.caption(t("indicators.template"))
            _citation(indicator["source"], key=f"open-draft-{i}")
    if drafts["guidance"]:
        st.subheader(t("indicators.guidance"))
        for j, citation in enumerate(drafts["guidance"]):
            _citation(citation, key=f"open-guidance-{j}")


def _classify_tab(lang: str) -> None:
    with st.form("indicators-classify-form", border=False):
        objective = st.radio(t("indicators.q_objective"), OBJECTIVES, key="ind-objective-level",
                             format_func=labels_for("indicators.objective", OBJECTIVES).__getitem__)
        target_group = st.checkbox(t("indicators.q_target_group"), key="ind-target-group")
        share = st.slider(t("indicators.q_share"), 0, 100, 0, step=5, key="ind-share")
        submitted = st.form_submit_button(t("indicators.classify_button"), type="primary", icon=":material/sell:")
    if submitted:
        common.close_source(PANEL)
        _call(CLASSIFY, common.client().classify_programme, objective, specific_target_group=target_group,
              activity_share=share, language=lang)
    suggestion = st.session_state.get(CLASSIFY)
    if not suggestion:
        return
    st.subheader(t("indicators.suggested", code=suggestion["code"], dac=suggestion["dac_marker"]))
    st.markdown(common.escape_markdown(suggestion["level"]))
    st.info(suggestion["disclaimer"], icon=":material/info:")
    for note in suggestion["notes"]:
        st.warning(note, icon=":material/warning:")
    st.caption(common.escape_markdown(suggestion["mapping_note"]))
    st.markdown(f"**{t('indicators.criteria')}**")
    for j, citation in enumerate(suggestion["criteria"]):
        _citation(citation, key=f"open-criteria-{j}")


common.page_header(t("indicators.title"), t("indicators.caption"))
language = current_language()
if st.session_state.get(PANEL):
    work_area, panel_area = st.columns([11, 9], gap="medium")
else:
    work_area, panel_area = st.container(), None
with work_area:
    review_tab, draft_tab, classify_tab = st.tabs(
        [t("indicators.tab.review"), t("indicators.tab.draft"), t("indicators.tab.classify")])
    with review_tab:
        _review_tab(language)
    with draft_tab:
        _draft_tab(language)
    with classify_tab:
        _classify_tab(language)
if panel_area is not None:
    with panel_area:
        common.source_panel(PANEL)
