"""The text side of answers, no model needed: sentence spans, citation markers, page spans of quotes."""

from __future__ import annotations

import pytest

from assistant.answers.citations import format_marker, marker_numbers, page_span, strip_markers
from assistant.answers.guard import _with_marker
from assistant.search.service import Hit
from index.sentences import complete_prefix, split_generated, split_passage

PDF_PAGE = (
    "Les six éléments d'une fiche indicateur\n"
    "Chaque indicateur du projet de performance doit être documenté dans une fiche. Pour qu'il\n"
    "soit réellement sensible au genre, six éléments doivent y figurer de manière explicite.\n"
    "1. Des données ventilées par sexe\n"
    "Les valeurs sont produites séparément pour les femmes et pour les hommes (voir p. 3 du guide).\n"
    "CELLULE : REPORTING GENRE\n"
    "Assurer un support technique auprès des utilisateurs du système ;\n"
)


def test_passage_sentences_follow_the_layout() -> None:
    sentences = split_passage(PDF_PAGE)
    assert [(s.text, s.heading) for s in sentences] == [
        ("Les six éléments d'une fiche indicateur", True),
        ("Chaque indicateur du projet de performance doit être documenté dans une fiche.", False),
        ("Pour qu'il soit réellement sensible au genre, six éléments doivent y figurer de manière explicite.", False),
        ("1. Des données ventilées par sexe", True),
        ("Les valeurs sont produites séparément pour les femmes et pour les hommes (voir p. 3 du guide).", False),
        ("CELLULE : REPORTING GENRE", True),
        ("Assurer un support technique auprès des utilisateurs du système ;", False),
    ]
    for sentence in sentences:  # spans point at the sentence in the original text, line breaks and all
        assert " ".join(PDF_PAGE[sentence.start:sentence.end].split()) == sentence.text


def test_markdown_heading_is_one_heading_even_with_two_sentences() -> None:
    text = "## Nos systèmes n'enregistrent pas le sexe. Que faire ?\n\nConservez l'indicateur global à titre provisoire."
    sentences = split_passage(text)
    assert [s.heading for s in sentences] == [True, True, False]
    assert sentences[0].text == "Nos systèmes n'enregistrent pas le sexe."


def test_arabic_sentences_and_bullets() -> None:
    text = "يكون المؤشر مراعيا للنوع الاجتماعي عندما يسمح بتتبع وضعية النساء والرجال. ولهذا يجب أن يتضمن كل مؤشر العناصر التالية:\n• معطيات مصنفة حسب الجنس؛\n• قيمة مرجعية؛"
    assert [s.text for s in split_passage(text)] == [
        "يكون المؤشر مراعيا للنوع الاجتماعي عندما يسمح بتتبع وضعية النساء والرجال.",
        "ولهذا يجب أن يتضمن كل مؤشر العناصر التالية:",
        "• معطيات مصنفة حسب الجنس؛",
        "• قيمة مرجعية؛",
    ]


def test_generated_sentences_keep_markers_written_after_the_full_stop() -> None:
    text = "La démarche a été lancée en 2002. [1] Le rapport existe depuis 2005 [2].\n- Un point [3]"
    assert [s.text for s in split_generated(text)] == [
        "La démarche a été lancée en 2002. [1]", "Le rapport existe depuis 2005 [2].", "- Un point [3]",
    ]


def test_complete_prefix_waits_for_the_next_sentence_to_start() -> None:
    assert complete_prefix("Lancée en 2002.") == 0
    assert complete_prefix("Lancée en 2002. [1") == 0  # the marker may still belong to it
    assert complete_prefix("Lancée en 2002. [1] L") == len("Lancée en 2002. [1] ")
    assert complete_prefix("Première ligne\nsecon") == len("Première ligne\n")
    text = "A été lancée en 2002 [1]. Le rapport date de 2005 [2]. Fin"
    for end in range(len(text) + 1):  # what is complete never changes as more text arrives
        done = complete_prefix(text[:end])
        assert split_generated(text[:done]) == split_generated(text)[:len(split_generated(text[:done]))]


@pytest.mark.parametrize(("text", "numbers"), [
    ("lancée en 2002 [1].", [1]),
    ("voir [1, 3] et [2][4]", [1, 3, 2, 4]),
    ("selon [Source 2] et [source 1; source 3]", [2, 1, 3]),
    ("en 2002 (page 3) [note]", []),
])
def test_markers(text: str, numbers: list[int]) -> None:
    assert marker_numbers(text) == numbers


def test_markers_are_stripped_and_placed_before_the_final_stop() -> None:
    assert strip_markers("Lancée en 2002 [1] [7].") == "Lancée en 2002."
    assert _with_marker("Lancée en 2002.", format_marker([1, 2])) == "Lancée en 2002 [1][2]."
    assert _with_marker("- un point", "[3]") == "- un point [3]"


def _hit(text: str, page: int, page_end: int, span: tuple[int, int]) -> Hit:
    return Hit(rank=1, score=0.0, chunk_id="c", doc_id="d", file_name="f.pdf", title="T", doc_type="guide", year=None,
               language="fr", page=page, page_end=page_end, section="", text=text, quote_span=span)


def test_page_span_within_one_page() -> None:
    hit = _hit("Une phrase. Une autre.", 2, 2, (100, 122))
    assert page_span(hit, 12, 22) == (2, (112, 122))


def test_page_span_in_a_chunk_across_two_pages() -> None:
    # The chunk is the end of page 2 from char 500, the page separator, then page 3 up to char 9.
    hit = _hit("Fin page.\n\nDébut p3.", 2, 3, (500, 9))
    assert page_span(hit, 0, 9) == (2, (500, 509))
    assert page_span(hit, 11, 20) == (3, (0, 9))
    assert page_span(hit, 0, 20) == (2, None)  # across the break: the first page, no exact span


def test_page_span_in_the_middle_section_of_a_chunk_over_many_word_sections() -> None:
    # A Word file's sections are short: this chunk is the end of § 4, all of § 5 and § 6, and the start of § 7.
    text = "fin 4.\n\nSection cinq.\n\nSection six.\n\nDébut 7."
    hit = _hit(text, 4, 7, (30, 8)).model_copy(update={"page_breaks": [(5, 8), (6, 23), (7, 37)]})
    assert page_span(hit, 8, 21) == (5, (0, 13))
    assert page_span(hit, 23, 35) == (6, (0, 12))
    assert page_span(hit, 0, 6) == (4, (30, 36))
    assert page_span(hit, 37, 45) == (7, (0, 8))
    assert page_span(hit, 8, 35) == (5, None)  # across a break: where it starts, no exact span


def test_a_line_ending_mid_sentence_runs_on_even_across_a_blank_line() -> None:
    """Real reports wrap before figures and quotes, and their Word text ends paragraphs there (PLF 2025 notes)."""
    text = (
        "STRUCTURE DU BUDGET DE L'ETAT\n\n"
        "Le montant total des charges s'etablit a 721 317 657 000 dirhams en 2025 contre\n\n"
        "638 298 179 000 dirhams en 2024 soit une augmentation de 13,01 %.\n"
        "Ces dérogations peuvent revêtir d'autres dénominations telles que «\n"
        "subventions fiscales » ou « niches fiscales ».\n"
        "Les mesures portent sur :\n"
        "- les exonérations de\n"
        "- les réductions."
    )
    assert [s.text for s in split_passage(text)] == [
        "STRUCTURE DU BUDGET DE L'ETAT",
        "Le montant total des charges s'etablit a 721 317 657 000 dirhams en 2025 contre 638 298 179 000 dirhams"
        " en 2024 soit une augmentation de 13,01 %.",
        "Ces dérogations peuvent revêtir d'autres dénominations telles que « subventions fiscales » ou « niches"
        " fiscales ».",
        "Les mesures portent sur :",
        "- les exonérations de",  # a list item after a run-on line still starts its own sentence
        "- les réductions.",
    ]


def test_a_short_line_ending_a_sentence_still_breaks() -> None:
    text = "Titre de la section\n12 mesures ont été supprimées en 2024.\nLa part des femmes\nreste faible."
    assert [s.text for s in split_passage(text)] == [
        "Titre de la section", "12 mesures ont été supprimées en 2024.", "La part des femmes reste faible.",
    ]


def test_a_table_row_ending_in_an_empty_cell_does_not_take_the_next_line() -> None:
    text = ("Bénéficiaires: Total; 2023 Montant: 36 959; 2024 Part: -\n\n"
            "(*) Il s'agit principalement des organismes internationaux.")
    assert [s.text for s in split_passage(text)][0] == "Bénéficiaires: Total; 2023 Montant: 36 959; 2024 Part: -"
