"""Step 2: the type, read from the bytes. The client's name and declared type are only compared with it.

Accepted: photos (JPEG, PNG, GIF, WebP, HEIC/HEIF), videos (MP4, MOV, 3GP, WebM, MKV), audio (MP3, M4A/AAC,
Ogg/Opus, WAV, AMR, FLAC) and PDF. Everything else is rejected; executables, archives, markup (HTML, SVG, XML)
and polyglots (a file that is valid as two types, e.g. a JPEG with a ZIP appended) are also quarantined: never
previewed, only downloadable as an attachment by staff allowed to open originals."""

import re

from evidence.pipeline.base import Context, PermanentFailure, Rejected

NAME = "identify"

HEAD = 4096
TAIL = 65536 + 22  # a ZIP end-of-central-directory record lies within the last 64 KiB + 22 bytes

FAMILY = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/gif": "photo",
    "image/webp": "photo",
    "image/heif": "photo",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/3gpp": "video",
    "video/webm": "video",
    "video/x-matroska": "video",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/ogg": "audio",
    "audio/wav": "audio",
    "audio/amr": "audio",
    "audio/flac": "audio",
    "application/pdf": "document",
}
EXTENSION_FAMILY = {
    **dict.fromkeys(["jpg", "jpeg", "jfif", "png", "gif", "webp", "heic", "heif"], "photo"),
    **dict.fromkeys(["mp4", "m4v", "mov", "3gp", "3g2", "webm", "mkv"], "video"),
    **dict.fromkeys(["mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "amr", "flac"], "audio"),
    "pdf": "document",
}

_HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"hevc",
    b"hevx",
    b"heim",
    b"heis",
    b"hevm",
    b"hevs",
    b"mif1",
    b"msf1",
    b"avif",
}
_QT_BRANDS = {b"qt  "}
_MP4_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"}
_3GP_PREFIX = (b"3gp", b"3g2")
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"F4A "}
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe|<!--)", re.I)
_SCRIPT_ANYWHERE = re.compile(rb"<(script|html|svg|iframe)[\s>]", re.I)

_DANGEROUS = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or an Office/APK file)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (may carry macros)"),
]


def sniff(head: bytes) -> str:
    """The media type the first bytes announce, or '' when unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if brand in _HEIF_BRANDS or (compatible & {b"heic", b"mif1"} and brand not in _MP4_BRANDS):
            return "image/heif"
        if brand in _QT_BRANDS:
            return "video/quicktime"
        if brand.startswith(_3GP_PREFIX):
            return "video/3gpp"
        if brand in _AUDIO_BRANDS:
            return "audio/mp4"
        return "video/mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06
    ):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    return ""


def _dangerous(head: bytes) -> str:
    for magic, label in _DANGEROUS:
        if head.startswith(magic):
            return label
    if _MARKUP.match(head):
        return "a web page or SVG image, which can run scripts"
    return ""


def _read(ctx: Context) -> tuple[bytes, bytes]:
    # From the copy preflight read (the stored file itself on a local folder): no request to the storage.
    if ctx.copy is None:
        raise PermanentFailure("The original was not read.")
    size = ctx.size
    with open(ctx.copy, "rb") as fh:
        head = fh.read(HEAD)
        start = max(HEAD, size - TAIL)
        fh.seek(start)
        tail = fh.read(size - start) if size > HEAD else b""
    return head, tail


def run(ctx: Context) -> str:
    item = ctx.item
    head, tail = _read(ctx)
    danger = _dangerous(head)
    if danger:
        raise Rejected(f"The file is {danger}, not a photo, video, audio or document.", quarantine=True)
    media_type = sniff(head)
    if not media_type:
        raise Rejected("The file type is not supported or the file is damaged.")
    item.detected_type = media_type
    family = FAMILY[media_type]
    # Polyglots: a second file hidden behind the first (a ZIP's central directory at the end, markup inside).
    if family != "document" and (b"PK\x05\x06" in tail or b"PK\x01\x02" in tail):
        raise Rejected(
            "The file carries a hidden ZIP archive besides the media (a polyglot).", quarantine=True
        )
    if family == "photo" and _SCRIPT_ANYWHERE.search(head + tail):
        raise Rejected("The image carries web-page markup (a polyglot).", quarantine=True)
    name = item.original_name.lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    declared = (item.declared_type or "").split("/")[0]
    named_family = EXTENSION_FAMILY.get(ext)
    if (
        declared in ("text", "application")
        and family in ("photo", "video", "audio")
        and item.declared_type not in ("application/octet-stream", "")
    ):
        raise Rejected(
            f"The file was sent as {item.declared_type} but contains {media_type}.", quarantine=True
        )
    if named_family and named_family != family and {named_family, family} != {"video", "audio"}:
        raise Rejected(f"The file is named .{ext} but contains {media_type}.", quarantine=True)
    ctx.family, ctx.media_type = family, media_type
    item.kind = family
    return media_type
