"""Photos: EXIF facts, and copies that show the picture the right way up with every piece of metadata gone."""

import contextlib
import datetime as dt
import functools
from typing import Any

from django.conf import settings
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from evidence.pipeline.base import Rejected

ImageFile.LOAD_TRUNCATED_IMAGES = False


@functools.cache
def _heif_register() -> None:
    """HEIC/HEIF from phones (the wheel bundles libheif), registered with Pillow the first time a photo is
    opened rather than at import: 12 MB that a process which never opens a photo does not carry."""
    import pillow_heif

    pillow_heif.register_heif_opener()


_EXIF_DATES = (0x9003, 0x9004)  # DateTimeOriginal, DateTimeDigitized (Exif IFD)
_EXIF_OFFSETS = (0x9011, 0x9012)  # OffsetTimeOriginal, OffsetTimeDigitized


def open_checked(path) -> Image.Image:
    """Open an image lazily and refuse pixel floods before any pixel is decoded."""
    Image.MAX_IMAGE_PIXELS = settings.POSKO_MAX_IMAGE_PIXELS
    _heif_register()
    try:
        image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise Rejected("The image is too large in pixels to be opened safely (a pixel flood).") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Rejected("The image is damaged or not a real image.") from exc
    width, height = image.size
    if width * height > settings.POSKO_MAX_IMAGE_PIXELS or width <= 0 or height <= 0:
        image.close()
        raise Rejected(f"The image is too large in pixels to be opened safely ({width}×{height}).")
    return image


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip()[:120]


def _gps_degrees(values, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return round(-degrees if _text(ref).upper() in ("S", "W") else degrees, 7)


def _taken(exif_ifd, base) -> str | None:
    for tag, offset_tag in zip(_EXIF_DATES, _EXIF_OFFSETS, strict=True):
        raw = exif_ifd.get(tag)
        if raw:
            try:
                moment = dt.datetime.strptime(_text(raw)[:19], "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
            offset = _text(exif_ifd.get(offset_tag) or "")
            return moment.isoformat() + (offset if offset[:1] in "+-" else "")
    raw = base.get(0x0132)  # DateTime, when the file was last written
    if raw:
        try:
            return dt.datetime.strptime(_text(raw)[:19], "%Y:%m:%d %H:%M:%S").isoformat()
        except ValueError:
            return None
    return None


def extract(path) -> dict:
    with open_checked(path) as image:
        exif = image.getexif()
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        meta: dict[str, Any] = {
            "format": image.format,
            "width": image.size[0],
            "height": image.size[1],
            "mode": image.mode,
            "frames": getattr(image, "n_frames", 1),
            "taken_at": _taken(exif_ifd, exif),
            "camera_make": _text(exif.get(0x010F, "")) or None,
            "camera_model": _text(exif.get(0x0110, "")) or None,
            "software": _text(exif.get(0x0131, "")) or None,
            "orientation": int(exif.get(0x0112, 1) or 1),
        }
        if gps_ifd:
            lat = _gps_degrees(gps_ifd.get(2), gps_ifd.get(1))
            lon = _gps_degrees(gps_ifd.get(4), gps_ifd.get(3))
            if lat is not None and lon is not None:
                meta["gps"] = {"latitude": lat, "longitude": lon}
                if gps_ifd.get(6) is not None:
                    with contextlib.suppress(TypeError, ValueError, ZeroDivisionError):
                        meta["gps"]["altitude"] = round(float(gps_ifd[6]), 1)
        meta["has_xmp"] = bool(image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"))
    return {k: v for k, v in meta.items() if v is not None}


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def viewable(image: Image.Image, orientation: int) -> Image.Image:
    """Upright RGB pixels only: orientation applied, transparency flattened onto white, first frame only.
    Copies only when something has to change (a 12-megapixel copy costs as much as decoding it)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        picture = Image.new("RGB", rgba.size, (255, 255, 255))
        picture.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        picture = image.convert("RGB")
    else:
        picture = image
    method = _TRANSPOSE.get(orientation)
    return picture.transpose(method) if method else picture


def render(path, view_max: int) -> Image.Image:
    """The picture for the viewing copy, at most view_max pixels on its long side. JPEGs are decoded at a
    reduced scale (draft mode: 1/2, 1/4 or 1/8 while the long side stays at least view_max / 2), which
    keeps a 12-megapixel photo fast and a 50-megapixel one well inside the worker's memory bound."""
    with open_checked(path) as image:
        orientation = int(image.getexif().get(0x0112, 1) or 1)
        if image.format == "JPEG":
            image.draft("RGB", (view_max // 2, view_max // 2))
        try:
            image.seek(0)
            image.load()
            picture = viewable(image, orientation)
            if picture is image:
                picture = (
                    image.copy()
                    if max(image.size) <= view_max
                    else image.resize(_fit(image.size, view_max), Image.Resampling.BICUBIC, reducing_gap=2.0)
                )
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise Rejected("The image is damaged or truncated and cannot be shown.") from exc
    if max(picture.size) > view_max:
        picture.thumbnail((view_max, view_max), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return picture


def _fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    width, height = size
    scale = longest / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))
