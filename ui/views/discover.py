"""Discover Morocco's experience: a landing page for delegations, with questions in three languages to try.

Every fact stated here comes from the project's checked domain notes (launch 2002, gender budget report since
2005, UN Public Service Award 2014, organic law 130-13 adopted 2015, the centre's organisation).
"""

from __future__ import annotations

import streamlit as st

from ui.brief_section import brief_section
from ui.i18n import ENDONYMS, EXAMPLES, t

PENDING = "pending_question"  # read by the assistant page
MILESTONES = ("2002", "2005", "2014", "2015")


def _ask(question: str) -> None:
    st.session_state[PENDING] = question


st.title(t("discover.title"))
st.markdown(t("discover.lead"))

st.subheader(t("discover.milestones"))
for col, year in zip(st.columns(len(MILESTONES)), MILESTONES, strict=True):
    with col.container(border=True, height="stretch"):
        st.html(f'<div class="mizan-year">{year}</div>')
        st.markdown(t(f"discover.m{year}"))
st.markdown(t("discover.lof"))

st.subheader(t("discover.centre_title"))
st.markdown(t("discover.centre"))

st.subheader(t("discover.ask_title"))
st.caption(t("discover.ask_caption"))
asked = None
for col, lang in zip(st.columns(3), ("en", "ar", "fr"), strict=True):
    with col.container(border=True, key=f"msg-{'rtl' if lang == 'ar' else 'ltr'}-examples-{lang}"):
        st.markdown(f"**{ENDONYMS[lang]}**")
        for i, question in enumerate(EXAMPLES[lang]):
            if st.button(question, key=f"discover-{lang}-{i}", icon=":material/forum:", width="stretch"):
                asked = question
if asked:
    _ask(asked)
    st.switch_page("views/assistant.py")

brief_section()

st.page_link("views/library.py", label=t("discover.browse"), icon=":material/library_books:")
