"""Reading what a PDF says, as a person (or a tribunal's clerk) would: its text, page by page."""

import io

import pypdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    """Text without any whitespace: long values may wrap inside table cells."""
    return "".join(text.split())
