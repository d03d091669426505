"""PDF documents: page count and the author and date fields (pypdf); the first page as a picture
(PDFium, bundled in the pypdfium2 wheel)."""

from collections.abc import Mapping
from typing import Any

from PIL import Image

from evidence.pipeline.base import Rejected

_FIELDS = {
    "/Title": "title",
    "/Author": "author",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "created",
    "/ModDate": "modified",
}
MAX_PAGES_RENDERED = 1


def extract(path) -> dict:
    # pypdf and PDFium are imported on first use (about 40 MB) so that workers and web processes which never
    # read a PDF do not carry them; the same for PyAV (videos.py), warcio (linksteps.py) and libheif (photos.py).
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - any failure means: encrypted with a password
                return {"encrypted": True}
        meta: dict[str, Any] = {"pages": len(reader.pages), "encrypted": bool(reader.is_encrypted)}
        info: Mapping[str, Any] = reader.metadata or {}
        for key, name in _FIELDS.items():
            value = info.get(key)
            if value:
                meta[name] = str(value)[:200]
    except (pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise Rejected("The PDF is damaged and cannot be read.") from exc
    return meta


def first_page(path, width: int) -> Image.Image | None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise Rejected("The PDF is damaged and cannot be shown.") from exc
    try:
        if len(document) == 0:
            return None
        page = document[0]
        page_width = page.get_width() or 1
        scale = max(0.1, min(4.0, width / page_width))
        return page.render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
