"""A first guess of an evidence file's kind from its declared type and name. The pipeline decides from the
bytes later; this only picks an icon and a label for the receipt."""

import mimetypes

_EXT_KIND = {
    "photo": {"jpg", "jpeg", "png", "webp", "heic", "heif", "gif"},
    "video": {"mp4", "mov", "3gp", "webm", "mkv", "m4v"},
    "audio": {"mp3", "m4a", "aac", "ogg", "opus", "wav", "amr"},
    "document": {"pdf"},
}


def guess_kind(file_name: str, declared_type: str) -> str:
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    for kind, extensions in _EXT_KIND.items():
        if ext in extensions:
            return kind
    major = (declared_type or mimetypes.guess_type(file_name)[0] or "").split("/")[0]
    return {"image": "photo", "video": "video", "audio": "audio"}.get(major, "file")
