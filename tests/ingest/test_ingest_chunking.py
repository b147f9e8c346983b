"""Chunks: within the model window with prefix and special tokens, exact page spans, stable ids, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import MetadataMode, NodeRelationship

from core.settings import get_settings
from ingest.chunking import _windows, chunk_document, hf_token_counter, node_id, passage_overhead
from ingest.loader import load_corpus
from ingest.types import Page, SourceDocument

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "documents"
FRENCH = ("La budgétisation sensible au genre examine les effets du budget sur les femmes et les hommes. "
          "Elle s'appuie sur des indicateurs ventilés par sexe, une valeur de référence et une cible. ")
ARABIC = "الميزانية المستجيبة للنوع الاجتماعي أداة لتحقيق المساواة بين النساء والرجال في البرامج العمومية. "


def words(text: str) -> list[str]:
    return text.split()


def _document(pages: list[str], doc_id: str = "d0c1d0c1d0c1d0c1") -> SourceDocument:
    return SourceDocument(doc_id=doc_id, path=Path("x.pdf"), file_name="dir/x.pdf", title="Guide BSG",
                          doc_type="guide", year=2025, language="fr",
                          pages=[Page(number, text) for number, text in enumerate(pages, start=1)])


@pytest.fixture(scope="module")
def tokenizer():
    path = Path(get_settings().embed_model_path)
    if not (path / "tokenizer.json").is_file():
        pytest.skip(f"embedding model not installed at {path}")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def _check_spans(document: SourceDocument, nodes) -> None:
    """Each node's text is exactly the text its (page, char) span points to."""
    pages = {page.number: page.text for page in document.pages}
    for node in nodes:
        meta = node.metadata
        first, last = pages[meta["page_start"]], pages[meta["page_end"]]
        if meta["page_start"] == meta["page_end"]:
            assert first[meta["char_start"]:meta["char_end"]] == node.text
        else:
            assert node.text.startswith(first[meta["char_start"]:])
            assert node.text.endswith(last[:meta["char_end"]])


def test_no_chunk_exceeds_the_window_with_prefix_on_real_text(tokenizer) -> None:
    document = _document([FRENCH * 12, ARABIC * 15 + "2015 130-13 " * 20, FRENCH * 3 + "a" * 1500])
    reserved = passage_overhead(tokenizer)
    assert reserved == len(tokenizer("passage: ")["input_ids"])  # prefix + <s> + </s>
    for size, overlap in ((256, 32), (64, 8), (512, 0)):
        nodes = chunk_document(document, hf_token_counter(tokenizer), size, overlap, reserved)
        assert len(nodes) > 1
        assert max(len(tokenizer("passage: " + node.text)["input_ids"]) for node in nodes) <= size
        _check_spans(document, nodes)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="sample corpus not built")
def test_corpus_chunks_fit_and_point_back_to_their_pages(tokenizer) -> None:
    loaded = load_corpus(CORPUS)
    counter, reserved = hf_token_counter(tokenizer), passage_overhead(tokenizer)
    for document in loaded.documents:
        nodes = chunk_document(document, counter, 256, 32, reserved)
        assert nodes
        assert all(len(tokenizer("passage: " + node.text)["input_ids"]) <= 256 for node in nodes)
        _check_spans(document, nodes)
        assert {node.metadata["language"] for node in nodes} == {document.language}


def test_spans_pages_and_metadata() -> None:
    pages = ["1. Introduction\n" + (FRENCH * 3).strip(), "", "2. Les indicateurs\n" + (FRENCH * 2).strip()]
    document = _document(pages)
    nodes = chunk_document(document, words, chunk_size=40, chunk_overlap=5)
    _check_spans(document, nodes)
    assert [node.metadata["chunk_index"] for node in nodes] == list(range(len(nodes)))
    first, last = nodes[0].metadata, nodes[-1].metadata
    assert (first["page_start"], first["char_start"], first["section"]) == (1, 0, "1. Introduction")
    assert last["page_end"] == 3 and last["char_end"] == len(pages[2])
    assert last["section"] == "2. Les indicateurs"
    assert all(node.metadata["page_start"] != 2 for node in nodes)  # the empty page holds no chunk
    assert set(first) == {"doc_id", "file_name", "title", "doc_type", "year", "language", "page_start",
                          "page_end", "section", "locator", "char_start", "char_end", "page_breaks", "chunk_index"}
    assert (first["doc_id"], first["file_name"], first["title"], first["doc_type"], first["year"]) == (
        document.doc_id, "dir/x.pdf", "Guide BSG", "guide", 2025)


def test_a_chunk_can_run_across_pages() -> None:
    document = _document(["Début du paragraphe sur la page un", "suite sur la page deux."])
    (node,) = chunk_document(document, words, chunk_size=100, chunk_overlap=0)
    assert (node.metadata["page_start"], node.metadata["page_end"]) == (1, 2)
    assert (node.metadata["char_start"], node.metadata["char_end"]) == (0, len("suite sur la page deux."))


def test_language_per_chunk() -> None:
    document = _document([(FRENCH * 5).strip(), (ARABIC * 12).strip()])
    nodes = chunk_document(document, words, chunk_size=200, chunk_overlap=0)
    assert [(node.metadata["page_start"], node.metadata["language"]) for node in nodes] == [(1, "fr"), (2, "ar")]
    (short,) = chunk_document(_document(["Tableau 3"]), words, chunk_size=200, chunk_overlap=0)
    assert short.metadata["language"] == "fr"  # too short to tell: the document's language


def test_ids_are_stable_and_the_source_is_the_document() -> None:
    document = _document([FRENCH * 6])
    first = chunk_document(document, words, chunk_size=30, chunk_overlap=5)
    again = chunk_document(document, words, chunk_size=30, chunk_overlap=5)
    assert [node.node_id for node in first] == [node.node_id for node in again]
    assert first[1].node_id == node_id(document.doc_id, 1)
    assert len({node.node_id for node in first}) == len(first)
    other = chunk_document(_document([FRENCH * 6], doc_id="ffffffffffffffff"), words, 30, 5)
    assert not {node.node_id for node in first} & {node.node_id for node in other}
    for node in first:
        assert node.ref_doc_id == document.doc_id
        assert node.relationships[NodeRelationship.SOURCE].node_id == document.doc_id


def test_metadata_is_not_embedded_nor_shown_to_the_llm() -> None:
    (node,) = chunk_document(_document([FRENCH]), words, chunk_size=100, chunk_overlap=0)
    assert node.get_content(MetadataMode.EMBED) == node.text
    assert node.get_content(MetadataMode.LLM) == node.text


def test_overlap_repeats_the_end_of_the_previous_chunk() -> None:
    nodes = chunk_document(_document([(FRENCH * 4).strip()]), words, chunk_size=40, chunk_overlap=20)
    assert len(nodes) > 2
    for previous, current in zip(nodes, nodes[1:]):
        assert previous.start_char_idx < current.start_char_idx < previous.end_char_idx


def test_budget_must_leave_room_for_text() -> None:
    with pytest.raises(ValueError):
        chunk_document(_document([FRENCH]), words, chunk_size=40, chunk_overlap=10, reserved_tokens=30)


def test_empty_document_has_no_chunks() -> None:
    assert chunk_document(_document(["", "  "]), words, chunk_size=40, chunk_overlap=0) == []


def test_a_chunk_the_splitter_altered_is_still_located() -> None:
    """The splitter may drop characters; the span then comes from the chunk's ends and covers the original."""
    from ingest.chunking import _locate

    text = "Premier passage. Voir la note… etc... puis la suite du texte ici."
    piece = "Voir la note… etc.. puis la suite du texte ici."
    start, end = _locate(text, piece, (0, 16))
    assert text[start:end] == "Voir la note… etc... puis la suite du texte ici."


def test_a_long_document_is_cut_window_by_window() -> None:
    paragraphs = [f"Paragraphe {n} : " + FRENCH * (1 + n % 3) for n in range(60)]
    document = _document(["\n\n".join(paragraphs[:30]), "\n\n".join(paragraphs[30:])])
    whole = chunk_document(document, words, 64, 8)
    windowed = chunk_document(document, words, 64, 8, window_chars=4_000)
    _check_spans(document, windowed)
    assert all(len(node.text.split()) <= 64 for node in windowed)
    joined = "\n\n".join(page.text for page in document.pages)
    cuts = [start for start, _ in _windows(joined, 4_000)][1:]
    assert len(cuts) >= 5 and all(joined[cut:cut + 2] == "\n\n" for cut in cuts)  # at paragraph breaks
    covered = " ".join(node.text for node in windowed)  # every word is in a chunk, whatever the windows
    assert set(joined.split()) == set(covered.split())
    assert not any(node.start_char_idx < cut < node.end_char_idx for node in windowed for cut in cuts)
    assert [n.text for n in chunk_document(document, words, 64, 8, window_chars=len(joined))] == [
        n.text for n in whole]  # a document within one window is cut as before
