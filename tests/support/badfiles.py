"""Files that ingestion must turn away (or, for two of them, must still accept), generated on the fly.

They are built at test time rather than committed so that no broken binary sits in the corpus, and so
that each case is small and obviously of the kind it claims to be. Expected reasons are keywords: a
test checks that the keyword occurs in the rejection reason, leaving the wording to ingestion.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

# Written by make_bad_inputs too, but these must be ingested, not rejected.
ENCRYPTED_EMPTY_PASSWORD = "encrypted_empty_password.pdf"  # opens with "" as user password
GOOD_TEXT = "good_note.txt"
ACCEPTED: tuple[str, ...] = (ENCRYPTED_EMPTY_PASSWORD, GOOD_TEXT)

GOOD_TEXT_CONTENT = (
    "Note de test\n\n"
    "Un indicateur sensible au genre suit séparément la situation des femmes et des hommes.\n"
    "Il comporte une valeur de référence, une cible, une source et une fréquence de mesure.\n"
)


def _text_pdf(text: str) -> bytes:
    from reportlab import rl_config
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setFont("Helvetica", 12)
    pdf.drawString(72, 760, text)
    pdf.drawString(72, 740, "Budgetisation sensible au genre: page de test pour l'ingestion.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _encrypted(data: bytes, user_password: str) -> bytes:
    """RC4-128: pypdf encrypts and decrypts it without the optional cryptography package."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="mizan-owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image_only_pdf() -> bytes:
    """A scanned-looking page: a raster image and a drawn shape, not a single character of text."""
    from PIL import Image, ImageDraw
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 120), "white")
    draw = ImageDraw.Draw(image)
    for y in range(15, 110, 12):  # grey bars that look like lines of a scanned page
        draw.rectangle((15, y, 185, y + 5), fill=(90, 90, 90))
    rl_config.invariant = 1
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.drawImage(ImageReader(image), 72, 500, width=400, height=240)
    pdf.rect(72, 300, 400, 150, stroke=1, fill=0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _undecodable() -> bytes:
    """Invalid UTF-8 and not plausible latin-1 either: random bytes salted with NULs and C0 controls."""
    rng = random.Random(13013)
    data = bytearray(rng.randrange(256) for _ in range(512))
    for i in range(0, len(data), 7):
        data[i] = 0
    data[1:3] = b"\xc3\x28"  # an invalid UTF-8 sequence early on, whatever the random bytes are
    return bytes(data)


def make_bad_inputs(folder: Path) -> dict[str, str]:
    """Write the bad cases into `folder` and return {file name: expected reason keyword}.

    Also writes the files named in ACCEPTED (an encrypted PDF whose user password is empty, and a
    plain UTF-8 .txt); they are not in the returned dict because ingestion must accept them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    good_pdf = _text_pdf("Document de test Mizan.")
    cases: dict[str, tuple[bytes, str]] = {
        "corrupt_truncated.pdf": (good_pdf[: len(good_pdf) // 3], "corrupt"),
        "encrypted_with_password.pdf": (_encrypted(good_pdf, "secret"), "encrypted"),
        "empty_file.pdf": (b"", "empty"),
        "image_only.pdf": (_image_only_pdf(), "no extractable text"),
        "text_named_as.pdf": ("Ceci est un simple texte, pas un PDF.\n".encode("utf-8"), "corrupt"),
        "spreadsheet.xlsx": (b"PK\x03\x04" + bytes(64), "unsupported"),
        "picture.png": (_png(), "unsupported"),
        "undecodable.txt": (_undecodable(), "decode"),
    }
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
    (folder / ENCRYPTED_EMPTY_PASSWORD).write_bytes(_encrypted(good_pdf, ""))
    (folder / GOOD_TEXT).write_text(GOOD_TEXT_CONTENT, encoding="utf-8")
    return {name: reason for name, (_, reason) in cases.items()}
