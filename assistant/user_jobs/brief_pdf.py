"""The delegation brief as a PDF: an HTML page printed by headless Chromium.

Arabic must come out shaped and right to left, with numbers and French titles inside it in their own direction.
A browser does all of that (HarfBuzz shaping, the Unicode bidirectional algorithm, font fallback through
fontconfig); the pure-Python writers tried shape the letters but draw Arabic lines word by word in visual order
and drop brackets and dashes from the Arabic font, so a reader's copy-paste or our own ingest reads them
backwards. Debian's `chromium` (with fonts-noto-core) is the one the browser tests already use (`make browser`);
a PDF printed by it reads back in logical order through `ingest.readers` (tests/assistant/test_brief_pdf.py).

Each quote is a paragraph of its own, in its own language's direction, and each source is a left-to-right
reference line then its title in the title's direction: a line never mixes a right-to-left paragraph into a left-to-right one, the one layout that text extraction (ours
and a reader's copy-paste) cannot put back in order.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from assistant.answers import labels
from assistant.user_jobs.brief import WORDS, Brief

PRINT_TIMEOUT_S = 60
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
STYLE = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; }
.lead, .generated { color: #555; font-style: italic; }
ol { padding-inline-start: 7mm; }
li { margin-bottom: 2.5mm; }
.note { color: #555; font-style: italic; }
.meta { color: #333; }
.quote { margin: 0.5mm 0 0; }
.sources p { margin: 0; font-size: 9.5pt; }
.sources .title { margin: 0 0 1.5mm; color: #444; }
"""


class PdfUnavailable(RuntimeError):
    """No Chromium to print with (`make browser` installs Debian's), or it failed to print."""


def brief_html(brief: Brief) -> str:
    """The brief as a standalone page in the reader's direction; each quote keeps its own language and direction."""
    lang = brief.language
    opening, closing = labels.QUOTES.get(lang, labels.QUOTES["en"])
    items = []
    for bullet in brief.bullets:
        year = f"<b>{bullet.year}</b> — " if bullet.year else ""
        note = f' <span class="note">({html.escape(bullet.language_note)})</span>' if bullet.language_note else ""
        quote_dir = "rtl" if bullet.quote_language == "ar" else "ltr"
        items.append(f'<li><div class="meta">{year}[{bullet.n}]{note}</div><p class="quote" '
                     f'lang="{bullet.quote_language}" dir="{quote_dir}">{opening}{html.escape(bullet.quote)}{closing}'
                     "</p></li>")
    body = f"<ol>{''.join(items)}</ol>" if items else f"<p>{html.escape(WORDS['empty'][lang])}</p>"
    sources = []
    for bullet in brief.bullets:
        c = bullet.citation
        sources.append(f'<p dir="ltr">[{bullet.n}] {html.escape(source_line(c.file, c.page, c.locator))}</p>'
                       f'<p class="title" dir="auto">{html.escape(c.title)}</p>')
    direction = "rtl" if lang == "ar" else "ltr"
    return (f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f"<title>{html.escape(brief.title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(brief.title)}</h1><p class=\"lead\">{html.escape(WORDS['lead'][lang])}</p>{body}"
            f"<h2>{html.escape(WORDS['sources'][lang])}</h2><div class=\"sources\">{''.join(sources)}</div>"
            f"<p class=\"generated\">{html.escape(WORDS['generated'][lang])}</p></body></html>")


def source_line(file: str, page: int, locator: str) -> str:
    """"report.pdf, p. 12": the reference a reader copies, left to right in every language (an Arabic "ص." beside a
    file name would mix directions on one line); the title, in its own language, follows on its own line."""
    return f"{file}, § {page} {locator}" if locator else f"{file}, p. {page}"


def print_pdf(page: str) -> bytes:
    """Print an HTML page to PDF bytes with headless Chromium (a fresh profile per call: calls may overlap)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise PdfUnavailable("PDF briefs need Debian's chromium (make browser); the Markdown brief is available")
    with tempfile.TemporaryDirectory(prefix="mizan-pdf-") as folder:
        source, target = Path(folder) / "brief.html", Path(folder) / "brief.pdf"
        source.write_text(page, encoding="utf-8")
        command = [chromium, *CHROMIUM_ARGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={target}",
                   source.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"chromium did not print the brief within {PRINT_TIMEOUT_S} s") from exc
        if not target.is_file() or not target.read_bytes().startswith(b"%PDF"):
            raise PdfUnavailable("chromium did not print the brief")
        return target.read_bytes()


def brief_pdf(brief: Brief) -> bytes:
    return print_pdf(brief_html(brief))
