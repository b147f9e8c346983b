"""Mizan's web interface: `streamlit run ui/app.py` (or `mizan ui`), talking to the API at MIZAN_API_URL."""

from __future__ import annotations

import streamlit as st

from ui import common
from ui.i18n import ENDONYMS, LANG_KEY, LANG_STATE, LANGUAGES, current_language, t, tn
from ui.settings import get_ui_settings

st.set_page_config(page_title="Mizan — ميزان", page_icon=":material/balance:", layout="wide")


def _language_chosen() -> None:
    st.session_state[LANG_STATE] = st.session_state[LANG_KEY]


if LANG_STATE not in st.session_state:  # first run of the session: ?lang=ar in a shared link sets the interface
    wanted = st.query_params.get(LANG_KEY)
    st.session_state[LANG_STATE] = wanted if wanted in LANGUAGES else get_ui_settings().ui_language
if st.session_state.get(LANG_KEY) != st.session_state[LANG_STATE]:  # the switch forgot it (page change)
    st.session_state[LANG_KEY] = st.session_state[LANG_STATE]

with st.sidebar:
    st.markdown("### :material/balance: Mizan · ميزان")
    st.caption(t("app.tagline"))
    st.segmented_control(
        t("app.language"), LANGUAGES, format_func=ENDONYMS.__getitem__, key=LANG_KEY, required=True,
        on_change=_language_chosen,
    )
lang = current_language()
if lang == get_ui_settings().ui_language:  # the deployment's own language needs no ?lang= in the address
    st.query_params.pop(LANG_KEY, None)
elif st.query_params.get(LANG_KEY) != lang:
    st.query_params[LANG_KEY] = lang
common.apply_style(lang)

pages = {
    t("nav.explore"): [
        st.Page(
            "views/assistant.py", title=t("nav.assistant"), icon=":material/forum:", url_path="assistant", default=True,
        ),
        st.Page("views/search.py", title=t("nav.search"), icon=":material/search:", url_path="search"),
        st.Page("views/library.py", title=t("nav.library"), icon=":material/library_books:", url_path="library"),
        st.Page("views/discover.py", title=t("nav.discover"), icon=":material/public:", url_path="discover"),
        st.Page("views/indicators.py", title=t("nav.indicators"), icon=":material/rule:", url_path="indicators"),
    ],
    t("nav.manage"): [
        st.Page("views/admin.py", title=t("nav.admin"), icon=":material/admin_panel_settings:", url_path="admin"),
    ],
}
page = st.navigation(pages)

with st.sidebar:
    status = common.health()
    if "problem" in status:
        st.caption(f":red[:material/cloud_off: {t('api.down')}]", help=status["problem"])
    else:
        count = tn("api.documents", int(status.get("documents", 0)))
        st.caption(f":green[:material/cloud_done: {t('api.connected')}] · {count}")
    st.caption(t("app.footer"))

page.run()
