"""Raw text per page from the files a corpus holds: PDF, DOCX, HTML, Markdown and plain text.

The type is taken from the content (magic bytes), not the name, because corpora collected by hand are
full of misnamed files; a readable file under a wrong extension is read and the mismatch is noted. Every
failure is one `IngestError` whose reason a person can act on ("encrypted PDF (password required)").
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import charset_normalizer

from ingest.arabic import fix_arabic_text, has_presentation_forms, rejoin_split_words, unshape
from ingest.ocr import OcrOptions, OcrUnavailable, recognise


class IngestError(Exception):
    """A file that cannot be ingested; `reason` says why in words fit for a report."""

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient  # said of the reading (a timeout, a dead reader), not of the file's content


@dataclass
class ReadResult:
    kind: str  # what the content really is: pdf, docx, html, md or txt
    pages: list[str]  # raw text per page, in reading order
    title: str | None = None  # title carried by the file itself (PDF info, DOCX properties, <title>)
    labels: list[str] = field(default_factory=list)  # per page, how to cite it when it has no page number (DOCX)
    notes: list[str] = field(default_factory=list)  # things worth reporting that did not stop the read
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text Tesseract recognised


TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
                   ".html": "html", ".htm": "html", ".xhtml": "html"}
BINARY_EXTENSIONS = {".pdf": "pdf", ".docx": "docx"}
KIND_NAMES = {"pdf": "PDF", "docx": "Word document (DOCX)", "html": "HTML", "md": "Markdown", "txt": "plain text"}

# Content we recognise but do not read: the reason names it so the user knows what to convert.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Microsoft Office file (.doc/.xls/.ppt)"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"{\\rtf", "RTF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x7fELF", "executable"),
)
_OOXML_PARTS = (("xl/workbook.xml", "Excel workbook (XLSX)"), ("ppt/presentation.xml", "PowerPoint file (PPTX)"))
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
UNDECODABLE = "cannot decode text (not UTF-8, UTF-16, cp1252 or cp1256)"
LEGACY_ENCODINGS = ("cp1252", "cp1256")  # Windows Latin (French, English) and Windows Arabic
BOMLESS_UTF16 = ("utf_16_le", "utf_16_be")
_HTML_SNIFF = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)


def read_file(path: Path, ocr: OcrOptions | None = None) -> ReadResult:
    """Read one file, whatever its name says; raise IngestError when it cannot give text.

    With `ocr`, PDF pages that are only images are read by Tesseract; without, a PDF with no text is refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from exc
    return read_bytes(data, path.suffix.lower(), ocr)


def read_bytes(data: bytes, extension: str, ocr: OcrOptions | None = None) -> ReadResult:
    """Read file content; `extension` ('.pdf', '' ...) names the reason when the content disappoints it.

    A supported binary type under another name (a PDF saved as .txt, a DOCX as .pdf) is a document with a
    wrong name: it is read and the mismatch noted. Text under a binary name (.pdf, .docx) is refused: it
    is almost always a failed download (an HTML error page saved as report.pdf), not a document.
    """
    if not data:
        raise IngestError("empty file")
    kind = _binary_kind(data, extension)
    if kind == "pdf":
        result = _read_pdf(data, ocr)
    elif kind == "docx":
        result = _read_docx(data)
    else:
        result = _read_text(_decode_for(data, extension), extension)
    claimed = BINARY_EXTENSIONS.get(extension) or TEXT_EXTENSIONS.get(extension)
    if claimed is not None and claimed != result.kind and not {claimed, result.kind} <= {"txt", "md"}:
        name = KIND_NAMES[result.kind]
        result.notes.insert(0, f"named {extension} but is {name}; read as {name}")
    return result


def sniff(data: bytes, extension: str) -> str:
    """The kind ('pdf', 'docx', 'text') the content would be read as, without parsing it: the cheap check an
    upload gets before it is queued. Raises IngestError with the reason `read_bytes` would give."""
    kind = _binary_kind(data, extension)
    if kind is None:
        _decode_for(data, extension)
    return kind or "text"


def _binary_kind(data: bytes, extension: str) -> str | None:
    """'pdf', 'docx', or None for content that may be text; raise for binary content we do not read."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, extension)
    for magic, name in _FOREIGN_MAGIC:
        if data.startswith(magic):
            if magic.startswith(b"\xd0\xcf") and _ENCRYPTED_OOXML in data:
                raise IngestError("encrypted Office document (password required)")
            raise IngestError(f"unsupported type: {name}")
    return None


def _zip_kind(data: bytes, extension: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            names = set(sizes)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if extension == ".docx":
            raise IngestError(f"corrupt Word document (broken ZIP package: {exc})") from exc
        raise IngestError(f"unsupported type: {extension or 'extensionless'} file (broken ZIP content)") from exc
    if "word/document.xml" in names:
        _check_unpacked_size(sizes, len(data))
        return "docx"
    for part, name in _OOXML_PARTS:
        if part in names:
            raise IngestError(f"unsupported type: {name}")
    raise IngestError("unsupported type: ZIP archive")


# A Word package's XML is parsed into a tree (python-docx, lxml): some hundred bytes of memory per element. Real
# packages unpack to a few times their size, images aside; a zip bomb, to a thousand times. What a file's entries
# declare bounds what zipfile will inflate, so checking the declared sizes before parsing is enough.
MAX_UNPACK_RATIO = 100
UNPACK_FLOOR_MB = 64  # below this much XML, any ratio parses in seconds


def _check_unpacked_size(sizes: dict[str, int], packed: int) -> None:
    xml = sum(size for name, size in sizes.items() if name.endswith((".xml", ".rels")))
    if xml > max(UNPACK_FLOOR_MB * 1024 * 1024, MAX_UNPACK_RATIO * packed):
        raise IngestError(f"refused as a zip bomb: Word document whose XML unpacks to {xml / 1024 / 1024:,.0f} MB "
                          f"from {packed / 1024:,.0f} KB")


def _decode_for(data: bytes, extension: str) -> str:
    """Text for a file without binary magic, or the reason its name and content disagree."""
    if extension in BINARY_EXTENSIONS:
        what = "plain text" if _decodes(data) else "unrecognised binary data"
        raise IngestError(f"corrupt {KIND_NAMES[BINARY_EXTENSIONS[extension]]}: no {extension} signature, "
                          f"the content is {what}")
    if extension and extension not in TEXT_EXTENSIONS:
        kind = "text" if _decodes(data) else "binary"
        raise IngestError(f"unsupported type: {extension} file ({kind} content)")
    return decode_text(data)


def _decodes(data: bytes) -> bool:
    try:
        decode_text(data)
    except IngestError:
        return False
    return True


# --- text ---------------------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """Decode bytes that should be text: BOMs first, then UTF-8, then what charset-normalizer finds readable.

    The legacy encodings are held to those the corpus's languages were written in (Windows French/English, Windows
    Arabic; UTF-16 without a BOM when there are NUL bytes): left free, it reads short French text as cp1250 and
    turns "à" into "ŕ". Bytes that read as nothing in any of them are binary, or text we would only garble.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    if b"\x00" not in data:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if _looks_like_text(text):
                return text
            raise IngestError(f"{UNDECODABLE} (control characters: binary data?)")
    candidates = BOMLESS_UTF16 if b"\x00" in data else LEGACY_ENCODINGS
    best = charset_normalizer.from_bytes(data, cp_isolation=list(candidates)).best()
    if best is None:
        raise IngestError(f"{UNDECODABLE} (NUL bytes: binary data?)" if b"\x00" in data else UNDECODABLE)
    text = str(best)
    if not _looks_like_text(text):
        raise IngestError(f"{UNDECODABLE} (control characters: binary data?)")
    return text


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"cannot decode text (invalid {encoding.upper()})") from exc


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= max(2, len(text) // 1000)


def looks_like_html(text: str) -> bool:
    """Whether text starts like an HTML page (a doctype or <html>), whatever the file is called."""
    return _HTML_SNIFF.match(text[:2048]) is not None


def _read_text(text: str, extension: str) -> ReadResult:
    kind = "html" if looks_like_html(text) else TEXT_EXTENSIONS.get(extension, "txt")
    if kind == "html":
        return _read_html(text)
    # A form feed is the one explicit page break plain text has (pdftotext writes them).
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if not any(page.strip() for page in pages):
        raise IngestError("no text (file holds only whitespace)")
    return ReadResult(kind, pages)


_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol",
               "table", "tr", "thead", "tbody", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dl",
               "dt", "dd", "figure", "figcaption", "form", "fieldset", "address", "hr")
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button", "select")
_CELL_TAGS = ("td", "th")
# Tags that never hold content (BeautifulSoup's list): they close as soon as they open.
_VOID_TAGS = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "menuitem",
                        "meta", "param", "source", "track", "wbr", "basefont", "bgsound", "command", "frame",
                        "image", "isindex", "nextid", "spacer"))
_NOT_TITLE_TAGS = ("script", "style", "template", "rt", "rp")
_HTML_SPACE = re.compile(r"\s+")
# Markup written as text (&lt;img onerror=…&gt; in a page, a snippet shown on a web page): never a document's words.
_TAG_TEXT = re.compile(r"<!--.*?-->|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>", re.DOTALL)


def _read_html(markup: str) -> ReadResult:
    page = _HtmlText()
    page.feed(markup)
    page.close()
    text = "\n".join(line.strip(" |") for line in _TAG_TEXT.sub("", "".join(page.parts)).split("\n"))
    if not text.strip():
        raise IngestError("no visible text in HTML")
    return ReadResult("html", [text], title=" ".join(page.title_parts or []) or None)


@dataclass
class _OpenTag:
    name: str
    closing: str  # text emitted when the tag closes: block line breaks, a table cell's " | "
    hides: bool  # its content is not visible (script, style, the hidden attribute ...)
    is_title: bool


class _HtmlText(HTMLParser):
    """The visible text of a page, with the line breaks its blocks make, in one streaming pass.

    No tree is built: BeautifulSoup's tree builder relinks every string that follows a closed child up the
    whole ancestor chain, and the old reader then inserted markers that walked each block's subtree, so a
    page of nested <div>s was quadratic (1 MB took minutes). This parser gets the same tokens from
    html.parser and keeps only a stack of open tags, closing them the way BeautifulSoup does (an end tag
    closes everything opened since its start tag; a stray end tag is ignored; void tags close at once),
    so normal pages read exactly as before. Source whitespace means nothing outside <pre>.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] | None = None  # the first <title>'s strings, once one opens
        self._open: list[_OpenTag] = []
        self._open_names: Counter[str] = Counter()
        self._hidden = 0  # open tags that hide their content
        self._pre = 0
        self._in_title = False
        self._not_text = 0  # open tags whose strings are code or annotations, never a title (script, rt ...)
        self._data: list[str] = []
        self._closed_voids: list[str] = []  # "<br>" closed at once, so a following "</br>" is not an end tag

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        self._push(tag, attrs)
        if tag in _VOID_TAGS:
            self._pop_to(tag)
            self._closed_voids.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        self._push(tag, attrs)
        self._pop_to(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._closed_voids:
            self._closed_voids.remove(tag)
            return
        self._flush()
        self._pop_to(tag)

    def handle_data(self, data: str) -> None:
        self._data.append(data)

    def handle_comment(self, data: str) -> None:
        self._flush()

    def handle_decl(self, decl: str) -> None:  # <!DOCTYPE html> is not text
        self._flush()

    def handle_pi(self, data: str) -> None:
        self._flush()

    def unknown_decl(self, data: str) -> None:
        self._flush()
        if data.upper().startswith("CDATA["):
            self._data.append(data[len("CDATA["):])
            self._flush(cdata=True)

    def close(self) -> None:
        super().close()
        self._flush()
        while self._open:
            self._pop()

    def _push(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hides = tag in _HIDDEN_TAGS or any(name == "hidden" for name, _ in attrs)
        self._hidden += hides
        closing = ""
        if not self._hidden:
            if tag == "br":
                self.parts.append("\n")
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n\n")
                closing = "\n\n"
            elif tag in _CELL_TAGS:
                closing = " | "
        is_title = tag == "title" and self.title_parts is None
        if is_title:
            self.title_parts, self._in_title = [], True
        self._pre += tag == "pre"
        self._not_text += tag in _NOT_TITLE_TAGS
        self._open.append(_OpenTag(tag, closing, hides, is_title))
        self._open_names[tag] += 1

    def _pop_to(self, tag: str) -> None:
        if self._open_names[tag]:
            while self._pop() != tag:
                pass

    def _pop(self) -> str:
        closed = self._open.pop()
        self._open_names[closed.name] -= 1
        self.parts.append(closed.closing)
        self._hidden -= closed.hides
        self._pre -= closed.name == "pre"
        self._not_text -= closed.name in _NOT_TITLE_TAGS
        self._in_title = self._in_title and not closed.is_title
        return closed.name

    def _flush(self, cdata: bool = False) -> None:
        """One string of text, as BeautifulSoup would make it: everything between two tags or comments."""
        text = "".join(self._data)
        self._data.clear()
        if not text:
            return
        if self._in_title and (cdata or not self._not_text) and self.title_parts is not None and text.strip():
            self.title_parts.append(text.strip())
        if not self._hidden:
            self.parts.append(text if self._pre else _HTML_SPACE.sub(" ", text))


# --- PDF ----------------------------------------------------------------------------------------------

NO_TEXT = "no extractable text; OCR not enabled (scanned or image-only PDF)"


def _read_pdf(data: bytes, ocr: OcrOptions | None) -> ReadResult:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise IngestError("encrypted PDF (password required)")
        page_list = list(reader.pages)
    except IngestError:
        raise
    except (DependencyError, NotImplementedError) as exc:
        raise IngestError(f"encrypted PDF (unsupported encryption: {exc})") from exc
    except Exception as exc:  # pypdf raises many types on broken files; all mean the same to the user
        raise IngestError(f"corrupt PDF ({type(exc).__name__}: {exc})") from exc
    if not page_list:
        raise IngestError("corrupt PDF (no pages)")
    notes: list[str] = []
    pages: list[str] = []
    for number, page in enumerate(page_list, start=1):
        try:
            pages.append(_pdf_page_text(page))
        except Exception as exc:  # one unreadable page must not cost the document
            notes.append(f"page {number}: text extraction failed ({type(exc).__name__}: {exc})")
            pages.append("")
    ocr_pages: list[int] = []
    if ocr is not None:
        ocr_pages = _ocr_blank_pages(data, pages, notes, ocr, started)
    elif not any(page.strip() for page in pages):
        raise IngestError(NO_TEXT)
    empty = sum(1 for page in pages if not page.strip())
    if empty:
        notes.append(f"{empty} of {len(pages)} pages have no extractable text (images only?)")
    return ReadResult("pdf", pages, title=_pdf_title(reader), notes=notes, ocr_pages=ocr_pages)


def _ocr_blank_pages(data: bytes, pages: list[str], notes: list[str], ocr: OcrOptions, started: float) -> list[int]:
    """Fill in, by OCR, the pages whose text layer holds no letter; the numbers of the pages it filled.

    A PDF with some text and unreadable scans is still read (its scans noted); one with none is refused with why.
    """
    blank = [number for number, text in enumerate(pages, start=1) if not any(char.isalpha() for char in text)]
    if not blank:
        return []
    if ocr.budget_s is not None:  # the budget counts from the start of the read
        ocr = replace(ocr, budget_s=max(0.0, ocr.budget_s - (time.monotonic() - started)))
    has_text = any(page.strip() for page in pages)
    try:
        result = recognise(data, blank, ocr)
    except OcrUnavailable as exc:
        if not has_text:
            raise IngestError(f"no extractable text; OCR not available: {exc} (scanned or image-only PDF)") from exc
        notes.append(f"scanned pages left unread: OCR not available ({exc})")
        return []
    except Exception as exc:  # a renderer failure on one odd file costs its scanned pages, not the file's text
        if not has_text:
            raise IngestError(f"no extractable text; OCR failed ({type(exc).__name__}: {exc})") from exc
        notes.append(f"OCR failed ({type(exc).__name__}: {exc})")
        return []
    notes.extend(result.notes)
    found = [number for number, text in sorted(result.texts.items()) if any(char.isalpha() for char in text)]
    for number in found:
        pages[number - 1] = result.texts[number]
    if result.out_of_time:
        notes.append(f"{_page_ranges(result.out_of_time)}: not read by OCR, the file's time budget ran out after "
                     f"{len(result.texts)} scanned pages (raise MIZAN_PARSE_TIMEOUT_S to read them)")
    if not any(page.strip() for page in pages):
        if result.out_of_time and not result.texts:
            raise IngestError("no extractable text; OCR ran out of time before the first page", transient=True)
        raise IngestError("no extractable text, even by OCR (scanned or image-only PDF)")
    if found:
        notes.append(f"{_page_ranges(found)}: text recognised by OCR")
    return found


def _page_ranges(numbers: list[int]) -> str:
    """"page 3", "pages 2-4, 7": how a note names a set of pages."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
    return f"page {text}" if len(numbers) == 1 else f"pages {text}"


def _pdf_page_text(page) -> str:
    """Plain extraction, except for shaped Arabic (presentation forms), which is drawn in visual order.

    pypdf's plain mode reverses right-to-left runs but leaves them in visual order among numbers and Latin
    words, which cannot be undone reliably; layout mode keeps the whole line in visual order, which
    `fix_arabic_text` turns back into logical order. Layout mode can also open a gap inside a word a browser
    kerned; the plain text's words close it.
    """
    text = page.extract_text() or ""
    if has_presentation_forms(text):
        layout = page.extract_text(extraction_mode="layout") or ""
        fixed = fix_arabic_text("\n".join(line.strip() for line in layout.split("\n")))
        text = rejoin_split_words(fixed, unshape(text))
    return text


def _pdf_title(reader) -> str | None:
    try:
        info = reader.metadata
        title = info.title if info else None
    except Exception:  # a broken info dictionary only costs the title
        return None
    return (str(title).strip() or None) if title else None


# --- DOCX ---------------------------------------------------------------------------------------------

HEADING_PATH_SEPARATOR = " › "
TABLE_PREFIX = "Tableau "
_BARE_TABLE = re.compile(r"^Tableau \d+$")
_CAPTION = re.compile(r"^(?:tableau|table|annexe|graphique|جدول|ملحق)\s*(?:n[°o]\s*)?\d+\b", re.IGNORECASE)
_TOC_LINE = re.compile(r"\t\s*\d+\s*$")
SHORT_CAPTION_CHARS = 24  # "ANNEXE 3:": a number whose title is the next paragraph
MAX_CAPTION_CHARS = 200
RUNNING_LINE_CHARS = 80  # between two parts of one table only running headers ("13RAPPORT SUR LES DEPENSES FISCALES")
_HEADING_STYLE = re.compile(r"^(?:heading|titre|überschrift|título)\s*(\d)$", re.IGNORECASE)


def _read_docx(data: bytes) -> ReadResult:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        units = _docx_units(document)
        title = document.core_properties.title
    except Exception as exc:  # python-docx and lxml raise many types on broken packages
        raise IngestError(f"corrupt Word document ({type(exc).__name__}: {exc})") from exc
    if not any(text.strip() for _, text in units):
        raise IngestError("no text in Word document")
    return ReadResult("docx", [text for _, text in units], title=(title or "").strip() or None,
                      labels=[label for label, _ in units])


def _docx_units(document) -> list[tuple[str, str]]:
    """(heading path, text) per citable unit: a Word file has no pages, so each section under a heading and
    each table is a unit, cited by its heading path ("Titre II › Recettes › Tableau 3") instead of a page.

    A heading split over two paragraphs of the same level with nothing between them is one heading.
    """
    from docx.table import Table

    path: list[tuple[int, str]] = []
    units: list[tuple[str, list[str]]] = [("", [])]
    tables = 0
    last_was_heading = False
    before: list[str] = []  # paragraphs since the last table or heading: where its caption is
    caption = ""  # the last table's, which a table right after it (a page's continuation) keeps
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            rows = _docx_table_rows(block)
            caption = _caption(before) or (caption if all(len(p) <= RUNNING_LINE_CHARS for p in before) else "")
            before = []
            if rows:
                units.append((_label(path, _table_part(tables, caption)), rows))
                units.append((_label(path), []))
            last_was_heading = False
            continue
        text = _docx_paragraph_text(block).strip()
        if not text:
            continue
        level = _heading_level(block)
        if level is None:
            units[-1][1].append(text)
            before.append(text)
            last_was_heading = False
            continue
        before, caption = [], ""
        if last_was_heading and path and path[-1][0] == level:
            path[-1] = (level, f"{path[-1][1]} {' '.join(text.split())}")
            units[-1][1][-1] += " " + text
            units[-1] = (_label(path), units[-1][1])
            continue
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, " ".join(text.split())))
        if units[-1][1]:
            units.append((_label(path), []))
        else:
            units[-1] = (_label(path), [])
        units[-1][1].append(text)
        last_was_heading = True
    return [(label, "\n\n".join(parts)) for label, parts in units if parts]


def _caption(before: list[str]) -> str:
    """A table's own caption, one of the two paragraphs before it ("Tableau 4: Ventilation des dépenses fiscales
    par secteur d'activité", then "En millions de dirhams"), with the next paragraph when it is only a number
    ("ANNEXE 3:" then its title); never a table-of-contents line ("Tableau 24 : Mesures dérogatoires…\t80")."""
    for back in (1, 2):
        if len(before) >= back and _CAPTION.match(before[-back]) and not _TOC_LINE.search(before[-back]):
            text = " ".join(before[-back].split())
            if back == 2 and len(text) < SHORT_CAPTION_CHARS:
                text = f"{text} {' '.join(before[-1].split())}"
            return text[:MAX_CAPTION_CHARS].strip()
    return ""


def _table_part(number: int, caption: str) -> str:
    """How a table is cited: by the document's own caption when it numbers its tables, else by its rank."""
    if caption.lower().startswith(TABLE_PREFIX.lower()):
        return TABLE_PREFIX + caption[len(TABLE_PREFIX):]
    return f"{TABLE_PREFIX}{number} ({caption})" if caption else f"{TABLE_PREFIX}{number}"


def table_caption(label: str) -> str:
    """The caption in a Word table's label ("… › Tableau 4: Ventilation …" -> "Tableau 4: Ventilation …"), or ''
    for a table cited by its rank alone or a unit that is not a table."""
    part = label.rsplit(HEADING_PATH_SEPARATOR, 1)[-1]
    return part if part.startswith(TABLE_PREFIX) and not _BARE_TABLE.match(part) else ""


def _label(path: list[tuple[int, str]], *more: str) -> str:
    return HEADING_PATH_SEPARATOR.join([text for _, text in path] + list(more))


def _heading_level(paragraph) -> int | None:
    """The outline level of a heading paragraph (Word's built-in heading styles), else None."""
    style = paragraph.style
    while style is not None:
        match = _HEADING_STYLE.match((style.name or "").strip())
        if match:
            return int(match.group(1))
        style = style.base_style
    return None


def _docx_paragraph_text(paragraph) -> str:
    from docx.oxml.ns import qn

    text_tag, tab_tag, br_tag, cr_tag = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
    type_attr = qn("w:type")
    line: list[str] = []
    for element in paragraph._p.iter(text_tag, tab_tag, br_tag, cr_tag):
        if element.tag == text_tag:
            line.append(element.text or "")
        elif element.tag == tab_tag:
            line.append("\t")
        elif element.tag == cr_tag or element.get(type_attr) in (None, "textWrapping"):
            line.append("\n")  # a page or column break is not a line
    return "".join(line)


def _docx_table_rows(table) -> list[str]:
    """One paragraph per row, so the chunker never cuts a row.

    Rows read "column: value; column: value" under the table's header rows (leading rows of short words
    or years, up to three, their texts stacked per column: "2023 Montant"), else the cells joined by " | ".
    A leading row that is one merged cell is the table's caption. Merged cells appear once.
    """
    rows = [cells for cells in (_row_cells(row) for row in table.rows) if any(cells)]
    lines: list[str] = []
    while rows and len(rows[0]) > 1 and len(set(filter(None, rows[0]))) == 1:
        lines.append(next(filter(None, rows.pop(0))))
    header: list[list[str]] = []
    # a second header row continues the first: its first column is empty or merged with the one above
    while len(rows) > 1 and len(header) < MAX_HEADER_ROWS and _is_header(rows[0]) and (
            not header or rows[0][0] in ("", header[0][0])):
        header.append(rows.pop(0))
    names = [" ".join(dict.fromkeys(filter(None, column))) for column in zip(*header)] if header else []
    for cells in rows:
        values = _distinct(cells)
        if names and len(cells) == len(names):
            pairs = _distinct([(name, value) for name, value in zip(names, cells) if value])
            lines.append("; ".join(f"{name}: {value}" if name and name != value else value for name, value in pairs))
        else:
            lines.append(" | ".join(values))
    return lines


MAX_HEADER_ROWS = 3
MAX_HEADER_CELL_CHARS = 40
_YEARISH = re.compile(r"^\D*(?:19|20)\d{2}\D*$")  # "2023", "Code 2024", "PLF 2025": header words, not data


def _row_cells(row) -> list[str]:
    """The text of each grid column (a merged cell repeats, as python-docx gives it)."""
    return [" ".join(" ".join(p.text.split()) for p in cell.paragraphs if p.text.strip()) for cell in row.cells]


def _distinct(items: list) -> list:
    """Consecutive repeats dropped: a cell merged over three columns is one value."""
    return [item for index, item in enumerate(items) if item and (index == 0 or item != items[index - 1])]


def _is_header(cells: list[str]) -> bool:
    """Column names: short cells of words ("Variation 23/24", "Total (1)+(2)") or years, never figures."""
    filled = set(filter(None, cells))
    return len(filled) >= 2 and all(len(cell) <= MAX_HEADER_CELL_CHARS and _wordy(cell) for cell in filled)


def _wordy(cell: str) -> bool:
    letters = sum(char.isalpha() for char in cell)
    return bool(_YEARISH.match(cell)) or (letters >= 3 and letters > sum(char.isdigit() for char in cell))
