"""Where a photo or video says it was taken, read when the reporter uploads it, so the form can tell them
before they send it (staff will see the place; the public never does). The pipeline's own readers do the
work (evidence/pipeline/photos.py for EXIF GPS, videos.py for a video's recorded location)."""

import contextlib
import logging

from evidence.pipeline import identify, photos, videos

log = logging.getLogger(__name__)


def location_find(upload) -> dict | None:
    """{'latitude', 'longitude'} from an uploaded file (a Django File or an open binary file), or None when
    it records no place, is not a photo or video, or cannot be read. Never raises: a file the readers
    cannot open is judged later by the pipeline."""
    fh = upload.file if hasattr(upload, "file") and upload.file is not None else upload
    try:
        fh.seek(0)
        head = fh.read(identify.HEAD)
        fh.seek(0)
        family = identify.FAMILY.get(identify.sniff(head), "")
        if family == "photo":
            meta = photos.extract(fh)
            found = meta.get("gps")
        elif family == "video":
            meta = videos.extract(fh)
            found = meta.get("location")
        else:
            return None
    except Exception:  # noqa: BLE001 (hostile or damaged files are the pipeline's to judge)
        log.info("no location could be read from an upload", exc_info=False)
        return None
    finally:
        with contextlib.suppress(Exception):
            fh.seek(0)
    if not found:
        return None
    return {"latitude": found["latitude"], "longitude": found["longitude"]}
