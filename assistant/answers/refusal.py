"""Saying "the documents do not answer this", in the question's language, with the nearest documents to open."""

from __future__ import annotations

from assistant.answers import labels
from assistant.answers.evidence import Evidence
from assistant.answers.focus import Gap
from core.contract import Answer, NearDocument

NEAREST_DOCUMENTS = 3


def refusal(language: str, evidence: Evidence, *, strategy: str, standalone_question: str, gap: Gap | None = None,
            ) -> Answer:
    """`gap`: what the closest passages lack (a year, figures for women), said after the refusal."""
    nearest: dict[str, NearDocument] = {}
    places: dict[str, str] = {}
    for source in sorted(evidence.sources, key=lambda s: s.cosine, reverse=True):
        hit = source.hit
        if hit.doc_id not in nearest and len(nearest) < NEAREST_DOCUMENTS:
            nearest[hit.doc_id] = NearDocument(
                doc_id=hit.doc_id, file=hit.file_name, title=hit.title, page=hit.page, score=round(source.cosine, 4)
            )
            # A Word file has no pages: its section number and heading path, as its citations show them.
            places[hit.doc_id] = f"§ {hit.page} {hit.locator}" if hit.locator else f"{labels.PAGE[language]} {hit.page}"
    lines = [labels.REFUSAL[language]]
    if gap is not None:
        reason = {"sex": labels.NOT_BY_SEX, "year": labels.NOT_FOR_YEAR, "place": labels.NOT_FOR_PLACE,
                  "name": labels.NOT_FOR_NAME,
                  "per_head": labels.NOT_PER_HEAD, "figure": labels.NO_FIGURE}[gap.kind]
        lines[0] += " " + reason[language].format(year=gap.year, place=gap.place, name=gap.name)
    if nearest:
        lines.append(labels.heading(labels.NEAREST[language], language))
        lines += [f"- {d.title or d.file} ({d.file}, {places[d.doc_id]})" for d in nearest.values()]
    return Answer(
        text="\n".join(lines), language=language, refused=True, nearest_documents=list(nearest.values()),
        refusal_reason=gap.kind if gap else "weak",
        strategy=strategy, standalone_question=standalone_question,
    )
