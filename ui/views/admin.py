"""Admin: add documents (followed until searchable) and remove them, with the API key."""

from __future__ import annotations

import mimetypes

import streamlit as st

from core.contract import JobState
from ui import common
from ui.api_client import ApiError
from ui.i18n import label_or, t

JOBS = "admin_jobs"  # [{job_id, file_name}] started in this session
KEY = "admin-key"
UPLOAD_TYPES = ["pdf", "docx", "md", "markdown", "txt", "html", "htm"]
STATUS_EMOJI = {"queued": "⏳", "running": "⚙️", "done": "✅", "failed": "❌"}  # table cells show plain text


def _jobs() -> list[dict]:
    return st.session_state.setdefault(JOBS, [])


def _status_label(job: JobState) -> str:
    status = job.status
    return f"{STATUS_EMOJI.get(status, '')} {label_or(f'admin.status.{status}', status)}".strip()


def _job_table() -> None:
    """The jobs of this session; while one is queued or running it refreshes itself (see the fragment below)."""
    jobs = _jobs()
    if not jobs:
        st.caption(t("admin.no_jobs"))
        return
    api = common.client()
    rows, finished_now = [], False
    for entry in reversed(jobs):
        if entry.get("final"):
            job = JobState.model_validate(entry["final"])
        else:
            try:
                job = api.job(entry["job_id"])
            except ApiError as exc:
                common.show_error(exc)
                return
            if job.finished:
                entry["final"] = job.model_dump()
                finished_now = True
        rows.append({
            t("admin.col.file"): job.file_name or entry.get("file_name", ""),
            t("admin.col.status"): _status_label(job),
            t("admin.col.detail"): job.detail,
        })
    st.dataframe(rows, hide_index=True, width="stretch")
    if finished_now:  # new documents: refresh the catalogue, and the whole page (the delete list) with it
        common.forget_catalogue()
        if all(e.get("final") for e in jobs):
            st.rerun(scope="app")


def _upload(files: list, api_key: str) -> None:
    api = common.client()
    sent = 0
    for uploaded in files:
        mime = uploaded.type or mimetypes.guess_type(uploaded.name)[0] or "application/octet-stream"
        try:
            job_ids = api.upload([(uploaded.name, uploaded.getvalue(), mime)], api_key=api_key)
        except ApiError as exc:
            st.error(f"{uploaded.name} — {common.error_message(exc)}", icon=":material/error:")
            continue
        _jobs().extend({"job_id": job_id, "file_name": uploaded.name} for job_id in job_ids)
        sent += 1
    if sent:
        st.success(t("admin.uploaded", n=sent), icon=":material/upload:")


def _delete() -> None:
    """Button callback: remove the chosen document, then reset the choice and keep a message for the page."""
    doc_id, api_key = st.session_state.get("admin-delete"), st.session_state.get(KEY, "")
    title = st.session_state.get("admin-delete-titles", {}).get(doc_id, doc_id)
    try:
        common.client().delete(doc_id, api_key=api_key)
    except ApiError as exc:
        st.session_state["admin-delete-result"] = ("error", common.error_message(exc))
        return
    common.forget_catalogue()
    st.session_state["admin-delete"] = None
    st.session_state["admin-confirm"] = False
    st.session_state["admin-delete-result"] = ("success", t("admin.deleted", title=title))


common.page_header(t("admin.title"), t("admin.caption"))
if common.health().get("uploads_enabled") is False:
    st.warning(t("admin.disabled"), icon=":material/lock:")
api_key = st.text_input(t("admin.key"), type="password", key=KEY, help=t("admin.key_help"), persist_state="session")
if not api_key:
    st.info(t("admin.key_missing"), icon=":material/key:")

upload_col, jobs_col = st.columns([1, 1], gap="large")
with upload_col:
    st.subheader(t("admin.upload_title"))
    with st.form("upload-form", clear_on_submit=True, border=False):
        files = st.file_uploader(
            t("admin.upload_label"), type=UPLOAD_TYPES, accept_multiple_files=True, key="admin-files",
        )
        send = st.form_submit_button(t("admin.upload_button"), type="primary", icon=":material/upload:",
                                     disabled=not api_key)
    if send and files:
        _upload(files, api_key)
with jobs_col:
    st.subheader(t("admin.jobs_title"))
    running = any(not entry.get("final") for entry in _jobs())
    st.fragment(_job_table, run_every=2 if running else None)()

st.divider()
st.subheader(t("admin.delete_title"))
try:
    documents = common.catalogue()
except ApiError as exc:
    common.show_error(exc)
    st.stop()
by_id = {d.doc_id: d for d in documents}
st.session_state["admin-delete-titles"] = {d.doc_id: d.title for d in documents}
choice = st.selectbox(
    t("admin.delete_pick"), list(by_id), index=None, key="admin-delete",
    format_func=lambda doc_id: f"{by_id[doc_id].title} — {by_id[doc_id].file_name}", placeholder="—",
)
confirm = st.checkbox(t("admin.delete_confirm"), key="admin-confirm", disabled=choice is None)
st.button(t("admin.delete_button"), type="primary", icon=":material/delete:", on_click=_delete,
          disabled=not (api_key and choice and confirm), key="admin-delete-button")
result = st.session_state.pop("admin-delete-result", None)
if result:
    kind, message = result
    if kind == "success":
        st.success(message, icon=":material/delete:")
    else:
        st.error(message, icon=":material/error:")
