"""Assistant: a conversation whose answers stream from /chat and cite their sources, opened in a side panel."""

from __future__ import annotations

import streamlit as st

from core.contract import ConversationAnswer
from ui import common
from ui.api_client import ApiError, ChatFinal, ChatToken
from ui.i18n import EXAMPLES, current_language, labels_for, t

MESSAGES = "assistant_messages"
SESSION = "assistant_session_id"
PANEL = "assistant_source"
STRATEGY = "assistant-strategy"  # offered only when the server has a language model
PENDING = "pending_question"  # set by the Discover page and the examples: a question to run on arrival
STRATEGIES = ("llm", "extractive")
MAX_QUESTION_CHARS = 2000  # the API's limit
AVATARS = {"user": ":material/person:", "assistant": ":material/balance:"}


def _messages() -> list[dict]:
    return st.session_state.setdefault(MESSAGES, [])


def _citation_keys() -> list[str]:
    return [f"cite-{i}" for i, m in enumerate(_messages()) if m["role"] == "assistant"]


def _new_conversation() -> None:
    common.close_source(PANEL, _citation_keys())
    for key in [k for k in st.session_state if str(k).startswith(("cite-", "fb-"))]:
        del st.session_state[key]
    st.session_state[MESSAGES] = []
    st.session_state.pop(SESSION, None)


def _select_citation(index: int) -> None:
    """A citation chip was clicked: open its page in the panel, and unselect the chips of other answers."""
    key = f"cite-{index}"
    n = st.session_state.get(key)
    for other in _citation_keys():
        if other != key:
            st.session_state[other] = None
    if n is None:
        common.close_source(PANEL)
        return
    answer = ConversationAnswer.model_validate(_messages()[index]["answer"])
    cited = next((c for c in answer.citations if c.n == n), None)
    if cited:
        common.open_source(
            PANEL, doc_id=cited.doc_id, title=cited.title, file=cited.file, page=cited.page,
            span=cited.quote_span, quote=cited.quote, label=f"[{cited.n}]",
        )


def _open_nearest(index: int, position: int) -> None:
    answer = ConversationAnswer.model_validate(_messages()[index]["answer"])
    near = answer.nearest_documents[position]
    for key in _citation_keys():
        st.session_state[key] = None
    common.open_source(PANEL, doc_id=near.doc_id, title=near.title, file=near.file, page=near.page)


def _ask_example(question: str) -> None:
    st.session_state[PENDING] = question


def _send_feedback(index: int) -> None:
    message = _messages()[index]
    rating = st.session_state.get(f"fb-{index}")
    if rating is None:
        return
    answer = ConversationAnswer.model_validate(message["answer"])
    try:
        common.client().feedback(
            rating=1 if rating == 1 else -1, comment=st.session_state.get(f"fb-comment-{index}", "").strip(),
            question=message["question"], answer=answer, session_id=st.session_state.get(SESSION),
        )
    except ApiError as exc:
        message["feedback_error"] = common.error_message(exc)
        return
    message["feedback_sent"] = True
    message.pop("feedback_error", None)
    st.toast(t("feedback.thanks"), icon=":material/thumb_up:")


def _render_user(index: int, text: str) -> None:
    with st.chat_message("user", avatar=AVATARS["user"]):
        with st.container(key=f"msg-{common.text_direction(text)}-q-{index}"):
            st.markdown(common.escape_markdown(text))


def _render_answer(index: int, message: dict) -> None:
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        if message.get("error"):
            st.error(message["error"], icon=":material/error:")
            return
        answer = ConversationAnswer.model_validate(message["answer"])
        with st.container(key=f"msg-{common.answer_direction(answer.language, answer.text)}-a-{index}"):
            if answer.refused:
                _render_refusal(index, answer)
            else:
                st.markdown(common.answer_markdown(answer.text))
            if answer.standalone_question and answer.standalone_question.strip() != message["question"].strip():
                st.caption(t("assistant.searched_as", q=common.escape_markdown(answer.standalone_question)))
        if answer.citations:
            chips = {
                c.n: f"[{c.n}] {common.short(c.title, 42)} · {common.where(c.page, c.locator)}"
                + (f" · {t('source.ocr')}" if c.ocr else "") for c in answer.citations
            }
            st.pills(
                t("assistant.sources"), list(chips), key=f"cite-{index}", format_func=chips.__getitem__,
                on_change=_select_citation, args=(index,), selection_mode="single",
            )
        _render_feedback(index, message)


def _render_refusal(index: int, answer: ConversationAnswer) -> None:
    """The API's refusal, in the question's language, as a banner; its nearest documents as buttons to open."""
    lines = [line for line in answer.text.splitlines() if line.strip()]
    if not answer.nearest_documents or len(lines) < 2:
        st.warning(common.escape_markdown(answer.text) or t("assistant.refused"), icon=":material/report:")
        return
    st.warning(common.escape_markdown(lines[0]), icon=":material/report:")
    st.markdown(common.escape_markdown(lines[1]))  # "Documents les plus proches :", as the API wrote it
    with st.container(horizontal=True):
        for position, near in enumerate(answer.nearest_documents):
            st.button(
                f"{common.short(near.title or near.file, 48)} · {t('source.page', n=near.page)}",
                key=f"near-{index}-{position}", icon=":material/description:",
                on_click=_open_nearest, args=(index, position),
            )


def _render_feedback(index: int, message: dict) -> None:
    sent = message.get("feedback_sent", False)
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        st.feedback("thumbs", key=f"fb-{index}", disabled=sent)
        if sent:
            st.caption(t("feedback.thanks"))
    if not sent and st.session_state.get(f"fb-{index}") is not None:
        with st.form(key=f"fb-form-{index}", border=False):
            st.text_input(t("feedback.comment"), key=f"fb-comment-{index}")
            st.form_submit_button(t("feedback.send"), on_click=_send_feedback, args=(index,), icon=":material/send:")
    if message.get("feedback_error"):
        st.error(message["feedback_error"], icon=":material/error:")


def _stream_answer(question: str) -> None:
    """Ask /chat, show the tokens as they come, then keep the checked final answer in the conversation."""
    messages = _messages()
    index = len(messages)
    messages.append({"role": "user", "content": question})
    _render_user(index, question)
    entry: dict = {"role": "assistant", "question": question}
    with st.chat_message("assistant", avatar=AVATARS["assistant"]):
        box = st.empty()
        box.caption(f":material/hourglass_top: {t('assistant.thinking')}")
        text, final = "", None
        try:
            chat = common.client().chat(
                question, session_id=st.session_state.get(SESSION), strategy=st.session_state.get(STRATEGY),
            )
            for event in chat:
                if isinstance(event, ChatToken):
                    text += event.text
                    box.markdown(common.answer_markdown(text) + " ▌")
                elif isinstance(event, ChatFinal):
                    final = event.answer
        except ApiError as exc:
            entry["error"] = common.error_message(exc)
        if final is None and "error" not in entry:
            entry["error"] = t("assistant.error")
    if final is not None:
        entry["answer"] = final.model_dump()
        if final.session_id:
            st.session_state[SESSION] = final.session_id
    messages.append(entry)
    st.rerun()


def _welcome() -> None:
    st.markdown(t("assistant.empty"))
    with st.container(horizontal=True):
        for i, question in enumerate(EXAMPLES[current_language()]):
            st.button(
                question, key=f"example-{i}", on_click=_ask_example, args=(question,), icon=":material/lightbulb:",
            )


head, new = st.columns([5, 2], vertical_alignment="bottom")
with head:
    common.page_header(t("assistant.title"), t("assistant.caption"))
with new.container(horizontal_alignment="right"):
    st.button(
        t("assistant.new"), icon=":material/add_comment:", on_click=_new_conversation, key="new-conversation",
        disabled=not _messages(),
    )

status = common.health()
if "problem" in status:
    st.error(t("err.unavailable", url=common.client().base_url), icon=":material/cloud_off:")
if status.get("llm", "none") != "none":
    st.segmented_control(
        t("assistant.style"), STRATEGIES, format_func=labels_for("assistant.style", STRATEGIES).__getitem__,
        key=STRATEGY, default="llm", required=True, help=t("assistant.style_help"), persist_state="session",
    )
else:
    st.session_state.pop(STRATEGY, None)

panel_open = bool(st.session_state.get(PANEL))
if panel_open:
    chat_area, panel_area = st.columns([11, 9], gap="medium")
else:
    chat_area, panel_area = st.container(), None

prompt = st.chat_input(t("assistant.placeholder"), key="assistant-input", max_chars=MAX_QUESTION_CHARS)
pending = st.session_state.pop(PENDING, None)

with chat_area:
    if not _messages() and not (prompt or pending):
        _welcome()
    for i, message in enumerate(_messages()):
        if message["role"] == "user":
            _render_user(i, message["content"])
        else:
            _render_answer(i, message)
    question = (prompt or pending or "").strip()
    if question:
        _stream_answer(question)

if panel_area is not None:
    with panel_area:
        common.source_panel(PANEL, widget_keys=_citation_keys())
