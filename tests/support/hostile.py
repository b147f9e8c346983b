"""A hostile-input corpus, written on the fly: what a careless or malicious user could put in a folder to ingest.

Nothing here is committed as a binary: every PDF is written by hand (a few objects and an xref table) or by
pypdf's writer, so each case is small, readable in this file, and exactly the kind it claims to be. Each file
is either a `Bad` one, which ingestion must turn away with a reason holding the keyword given, or a `Good` one,
which must end up searchable by the made-up word it holds (a word no other file holds).

Run as a script to time the readers on each file: `PYTHONPATH=. python tests/support/hostile.py [TEXT_MB]`.
"""

from __future__ import annotations

import io
import random
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

BLANK_PAGES = 2_000
TINY_TEXT_OBJECTS = 10_000
NESTED_LEVELS = 20_000  # 220 KB of nested <div>s around one paragraph: the old reader took minutes on such depth
BOMB_MB = 256  # what the zip bomb unpacks to (its file is about 1/1000 of that)
LONG_NAME_CHARS = 240  # most file systems stop at 255 bytes


@dataclass(frozen=True)
class Bad:
    reason: str  # a keyword of the reason ingestion gives


@dataclass(frozen=True)
class Good:
    word: str  # a made-up word only this file holds: searching it must find this file first


@dataclass(frozen=True)
class Either:
    """Rejected with this reason, or ingested: an image-only PDF is one or the other, depending on OCR."""

    reason: str


Expectation = Bad | Good | Either


def sentence(word: str) -> str:
    return (f"Ce document témoin porte le mot {word}, qui ne figure dans aucun autre fichier du lot. "
            f"Il décrit un indicateur sensible au genre, ventilé par sexe, avec une valeur de référence.")


# --- PDFs written by hand ---------------------------------------------------------------------------------

def pdf_bytes(pages: list[bytes | None], *, catalog_extra: bytes = b"", broken_xref: bool = False) -> bytes:
    """A minimal PDF: one Helvetica font, one page per content stream (None: a page with no content at all).

    `broken_xref` writes every xref offset and the startxref pointer wrong, as a file patched by hand would
    have them: a reader has to find the objects by scanning.
    """
    count = len(pages)
    first_page = 4
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, content in enumerate(pages):
        stream_ref = first_page + 2 * index + 1
        contents = b"" if content is None else b"/Contents %d 0 R " % stream_ref
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + contents
                       + b"/Resources << /Font << /F1 3 0 R >> >> >>")
        body = content or b""
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    shift = 7 if broken_xref else 0
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % (offset + shift) for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref + 3 * shift))
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def text_page(lines: list[str]) -> bytes:
    """A content stream drawing `lines` one under the other in 11 pt Helvetica."""
    ops = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
    ops += [_pdf_string(line) + b" Tj T*" for line in lines]
    ops.append(b"ET")
    return b"\n".join(ops)


def text_pdf(word: str, **options: object) -> bytes:
    return pdf_bytes([text_page(_wrapped(sentence(word)))], **options)  # type: ignore[arg-type]


def _wrapped(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for token in text.split():
        if line and len(line) + 1 + len(token) > width:
            lines.append(line)
            line = token
        else:
            line = f"{line} {token}".strip()
    return [*lines, line]


def tiny_objects_page(word: str, count: int) -> bytes:
    """`count` text objects (BT … ET) in 4 pt: the shape of a PDF exported from a chart or a map, where every label
    is an object of its own. The first ones write the sentence, a word each; the rest a space, so the page costs
    its reader a parse of every object but its indexer a single passage."""
    words = sentence(word).split()
    ops = []
    for index in range(count):
        x, y = 20 + (index % 100) * 5.5, 820 - (index // 100) * 8
        label = words[index] if index < len(words) else ""
        ops.append(b"BT /F1 4 Tf %.1f %d Td " % (x, y) + _pdf_string(label + " ") + b" Tj ET")
    return b"\n".join(ops)


def nested_page(levels: int, text: str) -> str:
    """`text` at the bottom of `levels` nested <div>s (tests/support/htmlgen.py has a word at each level, for timing the
    reader on size; here depth is the point, and the indexer gets one passage)."""
    return (f"<!DOCTYPE html><html><head><title>Imbrication</title></head><body>{'<div>' * levels}<p>{text}</p>"
            f"{'</div>' * levels}</body></html>")


def image_only_pdf() -> bytes:
    """A scanned-looking page: one grey raster image with bars like lines of text, not a character of text."""
    width, height = 64, 48
    pixels = bytes(90 if (row // 4) % 2 and 6 < col < 58 else 255 for row in range(height) for col in range(width))
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (width, height, len(pixels)) + pixels + b"\nendstream")
    data = pdf_bytes([b"q 480 0 0 360 56 400 cm /Im1 Do Q"])
    # the image goes in as object 6, referenced from the page's resources
    data = data.replace(b"/Resources << /Font << /F1 3 0 R >> >>", b"/Resources << /XObject << /Im1 6 0 R >> >>")
    return _appended_object(data, 6, image)


def _appended_object(data: bytes, number: int, body: bytes) -> bytes:
    """`data` with one more object, added as an incremental update (how editors append to a PDF)."""
    old_xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    offset = len(data)
    update = b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = offset + len(update)
    update += (b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
               % (number, offset, number + 1, old_xref, xref))
    return data + update


def encrypted(data: bytes, user_password: str) -> bytes:
    """RC4-128: pypdf encrypts and decrypts it without the optional cryptography package."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="mizan-owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JAVASCRIPT = (b"/OpenAction << /S /JavaScript /JS (app.alert\\('pwned'\\); this.exportDataObject\\({cName: 'x'}\\);) >> "
              b"/Names << /JavaScript << /Names [(init) << /S /JavaScript /JS (app.launchURL\\('http://x'\\);) >>] >> >> ")


# --- other formats ----------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_PACKAGE_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')


def zip_bomb_docx(unpacked_mb: int) -> bytes:
    """A DOCX whose document.xml unpacks to `unpacked_mb` MB of empty paragraphs: a few hundred KB on disk,
    and a DOM of tens of millions of elements for any reader that parses it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                       b'wordprocessingml/2006/main"><w:body>')
            block = b"<w:p/>" * (1 << 17)
            for _ in range(unpacked_mb * (1 << 20) // len(block)):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


def big_text(megabytes: float, word: str) -> bytes:
    """Plain text of about `megabytes` MB: varied French sentences (not one repeated line a compressor or a
    deduplicating chunker would make light of), with `word` in the first paragraph."""
    rng = random.Random(50)
    vocabulary = ("budget programme indicateur femmes hommes crédits région ministère égalité performance objectif "
                  "cible rapport genre dépense recette action projet service public").split()
    lines = [sentence(word)]
    size = len(lines[0])
    while size < megabytes * 1024 * 1024:
        line = " ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + "."
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines).encode("utf-8")


def make_hostile_corpus(folder: Path, *, text_mb: float = 2.0) -> dict[str, Expectation]:
    """Write the hostile corpus into `folder`; {file name: what ingestion must make of it}."""
    folder.mkdir(parents=True, exist_ok=True)
    good_pdf = text_pdf("ordinairevix")
    rng = random.Random(11)
    files: dict[str, tuple[bytes, Expectation]] = {
        # broken or refused content
        "vide.txt": (b"", Bad("empty")),
        "tronque.pdf": (good_pdf[: len(good_pdf) // 3], Bad("corrupt PDF")),
        "aleatoire.bin": (bytes(rng.randrange(256) for _ in range(4096)), Bad("unsupported")),
        "texte_nomme.pdf": ("Ceci est un simple texte, pas un PDF.\n".encode(), Bad("corrupt PDF")),
        "chiffre.pdf": (encrypted(good_pdf, "secret"), Bad("encrypted")),
        "scan.pdf": (image_only_pdf(), Either("no extractable text")),
        "deux_mille_pages_blanches.pdf": (pdf_bytes([None] * BLANK_PAGES), Bad("no extractable text")),
        "grand_texte.txt": (big_text(text_mb, "volumineuxzar"), Bad("too large")),
        "faux.docx": (bytes(rng.randrange(256) for _ in range(2048)), Bad("Word document")),
        "bombe.docx": (zip_bomb_docx(BOMB_MB), Bad("zip bomb")),
        "scripts_et_styles.html": (
            b"<!DOCTYPE html><html><head><style>body{color:red}</style><script>var x = 1;</script></head><body>"
            b"<script>document.write('<p>injected</p>')</script><style>p{margin:0}</style><noscript></noscript>"
            b"</body></html>", Bad("no visible text")),
        # odd but readable: each is a document
        "latin1.txt": (sentence("latinokor").encode("latin-1"), Good("latinokor")),
        "utf16.txt": (sentence("seizebitra").encode("utf-16"), Good("seizebitra")),
        "pdf_nomme.txt": (text_pdf("maquillopdf"), Good("maquillopdf")),
        "imbrique.html": (nested_page(NESTED_LEVELS, sentence("profondurix")).encode(), Good("profondurix")),
        "note avec des espaces.txt": (sentence("espacorum").encode(), Good("espacorum")),
        "مذكرة النوع — résumé ✓.md": (sentence("unicodalba").encode(), Good("unicodalba")),
        "rapport..final..v2.txt": (sentence("pointpointa").encode(), Good("pointpointa")),
        "x" * LONG_NAME_CHARS + ".txt": (sentence("longissimo").encode(), Good("longissimo")),
        "xref_casse.pdf": (text_pdf("xrefbrisa", broken_xref=True), Good("xrefbrisa")),
        "javascript.pdf": (text_pdf("scriptalune", catalog_extra=JAVASCRIPT), Good("scriptalune")),
        "dix_mille_objets.pdf": (pdf_bytes([tiny_objects_page("objetmyriade", TINY_TEXT_OBJECTS)]),
                                 Good("objetmyriade")),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: expectation for name, (_, expectation) in files.items()}


def _time_readers(text_mb: float) -> None:
    from ingest.readers import IngestError, read_file

    with __import__("tempfile").TemporaryDirectory() as tmp:
        started = time.perf_counter()
        expected = make_hostile_corpus(Path(tmp), text_mb=text_mb)
        print(f"generated in {time.perf_counter() - started:.1f} s")
        for name in expected:
            path = Path(tmp) / name
            started = time.perf_counter()
            try:
                pages = read_file(path).pages
                outcome = f"{len(pages)} pages, {sum(map(len, pages))} chars: {pages[0][:40]!r}"
            except IngestError as exc:
                outcome = f"rejected: {exc.reason}"
            print(f"{time.perf_counter() - started:7.2f} s  {path.stat().st_size / 1024:9.0f} KB  {name[:40]:40}  "
                  f"{outcome[:80]}", flush=True)


if __name__ == "__main__":
    _time_readers(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
