"""Text for the PDF pages that are only images (scans), by Tesseract, page by page, within the file's time budget.

pytesseract drives the `tesseract` binary (Debian's tesseract-ocr packages, `make ocr`) and pypdfium2, already used
for page images, renders each page in this process. ocrmypdf was the other candidate: it writes a new PDF with a text
layer, which we would then read back with pypdf (Arabic in visual order again) and it brings Ghostscript and its own
process pool; tesserocr needs compiling against libtesseract. Tesseract writes Arabic in logical order, and
pytesseract's per-call timeout kills a stuck tesseract process, which a C call in this process could not be.

OCR runs in the reader process (ingest.worker), whose budget covers the whole file: pages are read until the
budget is nearly spent and the rest are left out with a note, so a 300-page scan costs its budget, never the batch.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field

TESSERACT = "tesseract"
# OpenMP threads per tesseract process: on 2 busy cores its default (all cores) made a page 3x slower (20 s vs 6.6 s).
THREAD_LIMIT = "1"
# What OCR leaves of the file's parse budget to the rest of the read, and to a page cut short: writing the page
# image for tesseract and stopping it take seconds on a busy machine.
BUDGET_SHARE = 0.9
BUDGET_RESERVE_S = 5.0


@dataclass(frozen=True)
class OcrOptions:
    """How image-only pages are read (settings ocr_*); `budget_s` is what OCR of one file may take in all."""

    languages: str = "fra+ara+eng"
    dpi: int = 300
    page_timeout_s: float = 60.0
    budget_s: float | None = None


@dataclass
class OcrResult:
    texts: dict[int, str] = field(default_factory=dict)  # 1-based page number -> recognised text
    notes: list[str] = field(default_factory=list)
    out_of_time: list[int] = field(default_factory=list)  # pages left unread when the budget ran out


class OcrUnavailable(Exception):
    """Tesseract or every requested language pack is missing; the message says what to install."""


def budget_for(timeout_s: float) -> float:
    """Seconds OCR of one file may take when the whole file may take `timeout_s`."""
    return max(0.0, min(BUDGET_SHARE * timeout_s, timeout_s - BUDGET_RESERVE_S))


def installed() -> bool:
    return shutil.which(TESSERACT) is not None


def recognise(data: bytes, numbers: list[int], options: OcrOptions) -> OcrResult:
    """Recognised text of the pages `numbers` (1-based) of the PDF `data` that hold an image.

    Pages without any image (blank separators) are skipped. Raises OcrUnavailable when some page needs Tesseract
    and it cannot run.
    """
    import pypdfium2 as pdfium
    import pytesseract

    started = time.monotonic()
    deadline = started + options.budget_s if options.budget_s is not None else None
    result = OcrResult()
    document = pdfium.PdfDocument(data)
    try:
        scanned = [number for number in numbers if _has_image(document, number)]
        if not scanned:
            return result
        languages = _languages(options.languages)
        os.environ.setdefault("OMP_THREAD_LIMIT", THREAD_LIMIT)
        first = time.monotonic()
        for position, number in enumerate(scanned):
            now = time.monotonic()
            left = deadline - now if deadline is not None else None
            # a page that would not finish in what is left is not started: its work would be thrown away
            if left is not None and (left <= 0 or (position and left < (now - first) / position)):
                result.out_of_time = scanned[position:]
                break
            page = document[number - 1]
            try:
                image = page.render(scale=options.dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()
            timeout = min(options.page_timeout_s, left) if left is not None else options.page_timeout_s
            try:
                result.texts[number] = pytesseract.image_to_string(image, lang=languages, timeout=timeout)
            except RuntimeError as exc:  # pytesseract's "Tesseract process timeout": the process is killed
                if left is not None and timeout >= left:
                    result.out_of_time = scanned[position:]
                    break
                result.notes.append(f"page {number}: OCR gave up after {timeout:g} s ({exc})")
            except pytesseract.TesseractError as exc:
                result.notes.append(f"page {number}: OCR failed ({exc.message.strip() or exc.status})")
    finally:
        document.close()
    return result


def _languages(wanted: str) -> str:
    """The requested '+'-joined languages that are installed; OcrUnavailable when tesseract or all of them are
    missing (one missing pack only costs that language)."""
    import pytesseract

    if not installed():
        raise OcrUnavailable("tesseract is not installed (`make ocr`)")
    try:
        present = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError) as exc:
        raise OcrUnavailable(f"tesseract does not run ({exc})") from exc
    usable = [language for language in wanted.split("+") if language in present]
    if not usable:
        raise OcrUnavailable(f"no Tesseract language pack for {wanted} (installed: {'+'.join(sorted(present))})")
    return "+".join(usable)


def _has_image(document, number: int) -> bool:
    """Whether the page draws an image anywhere (in forms too): a page with none has nothing to recognise."""
    from pypdfium2 import raw

    page = document[number - 1]
    try:
        return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3))
    finally:
        page.close()
