"""What the API does to uploads before any ingestion: safe names, types read from content, the size limit.
No model, no server (that reads never wait for a write is tested on the live server, in test_api_server.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

from assistant.library.uploads import UploadRejected, check_content, read_limited, safe_name


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\x\\Rapport.PDF", "Rapport.pdf"),
        ("a.pdf\x00.txt", "a.pdf.txt"),  # NUL cannot cut the name short
        ("\u202efdp.exe", "fdp.exe"),  # a right-to-left override cannot disguise the extension
        ("ＡＢ／..／x.pdf", "x.pdf"),  # fullwidth solidus is a slash after NFKC
        ("‥／‥／secret.md", "secret.md"),  # two-dot leader is '..'
        ("a\u200bb.md", "ab.md"),  # zero-width space
        ("..", "upload"),
        ("", "upload"),
        (".env", "env"),  # no hidden files
        ("rapport 2024 (v2).pdf", "rapport_2024_v2.pdf"),
        ("تقرير الميزانية.pdf", "تقرير_الميزانية.pdf"),
        ("Évaluation genre.docx", "Évaluation_genre.docx"),
    ],
)
def test_safe_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_safe_name_is_bounded() -> None:
    name = safe_name("x" * 500 + ".docx")
    assert len(name) <= 120 and name.endswith(".docx")


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"%PDF-1.7\n...", "note.pdf", "pdf"),
        (b"%PDF-1.7\n...", "note.txt", "pdf"),  # a misnamed PDF is still a PDF
        (None, "fiche.docx", "docx"),
        ("Budget sensible au genre : note.".encode(), "note.md", "text"),
        ("الميزانية المستجيبة للنوع".encode(), "note.txt", "text"),
    ],
)
def test_accepted_content(data: bytes | None, name: str, kind: str) -> None:
    assert check_content(data if data is not None else _docx_bytes(), name) == kind


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.pdf", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "scan.pdf", "PNG image"),
        (b"<html>not found</html>", "report.pdf", "no .pdf signature"),  # a failed download saved as a PDF
        (b"MZ\x90\x00" + bytes(range(256)) * 4, "tool.exe", "unsupported type"),
        (b"echo hi", "script.sh", "unsupported type: .sh"),
    ],
)
def test_refused_content(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(UploadRejected, match=reason):
        check_content(data, name)


def test_read_limited_stops_at_the_limit() -> None:
    assert read_limited(io.BytesIO(b"x" * 100), 100) == b"x" * 100
    with pytest.raises(UploadRejected) as caught:
        read_limited(io.BytesIO(b"x" * 101), 100)
    assert caught.value.too_large
