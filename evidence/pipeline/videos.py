"""Videos and audio, probed with PyAV (FFmpeg's libraries, bundled in the wheel): duration, codecs, size,
creation time and recorded location; a poster frame for videos. Files are opened by path and read by
FFmpeg as it needs, so a 500 MB video is never loaded whole."""

import re

from django.conf import settings
from PIL import Image

from evidence.pipeline.base import Rejected

# ISO 6709 location strings as phones write them, e.g. "+35.6895+139.6917+040.000/" (QuickTime, Android).
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_LOCATION_TAGS = ("location", "com.apple.quicktime.location.ISO6709", "location-eng")
_MAX_PACKETS_FOR_POSTER = 600


def _open(path):
    import av  # here, not at the top: 30 MB that a worker which never probes a video does not carry

    # A path, or an open binary file (the form's location check reads uploads without copying them).
    source = path if hasattr(path, "read") else str(path)
    try:
        return av.open(source, mode="r", timeout=settings.POSKO_MEDIA_TIMEOUT_SECONDS)
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise Rejected("The video or audio file is damaged or not a real media file.") from exc


def _location(tags: dict) -> dict | None:
    for key in _LOCATION_TAGS:
        value = tags.get(key)
        if value:
            match = _ISO6709.match(value.strip())
            if match:
                out = {"latitude": float(match.group(1)), "longitude": float(match.group(2))}
                if match.group(3):
                    out["altitude"] = float(match.group(3))
                return out
    return None


def extract(path) -> dict:
    import av

    with _open(path) as container:
        tags = {k: str(v)[:200] for k, v in (container.metadata or {}).items()}
        meta = {
            "container": container.format.name,
            "duration_seconds": round(container.duration / av.time_base, 3) if container.duration else None,
            "bit_rate": container.bit_rate or None,
            "creation_time": tags.get("creation_time") or tags.get("com.apple.quicktime.creationdate"),
            "device_make": tags.get("com.apple.quicktime.make") or tags.get("make"),
            "device_model": tags.get("com.apple.quicktime.model") or tags.get("model"),
        }
        location = _location(tags)
        if location:
            meta["location"] = location
        if container.streams.video:
            stream = container.streams.video[0]
            ctx = stream.codec_context
            meta.update(
                {
                    "video_codec": ctx.name,
                    "width": ctx.width,
                    "height": ctx.height,
                    "frame_rate": float(stream.average_rate) if stream.average_rate else None,
                }
            )
            rotation = stream.metadata.get("rotate") if stream.metadata else None
            if rotation:
                meta["rotation"] = rotation
            if (ctx.width or 0) * (ctx.height or 0) > settings.POSKO_MAX_IMAGE_PIXELS:
                raise Rejected("The video's frames are too large to be decoded safely.")
        if container.streams.audio:
            audio = container.streams.audio[0].codec_context
            meta.update(
                {"audio_codec": audio.name, "sample_rate": audio.sample_rate, "channels": audio.channels}
            )
        if not container.streams.video and not container.streams.audio:
            raise Rejected("The file contains neither video nor audio.")
    return {k: v for k, v in meta.items() if v not in (None, "")}


def poster(path, duration: float | None) -> Image.Image | None:
    """A frame about a tenth into the video (at most 2 s in), as an upright RGB image; None for audio."""
    import av

    with _open(path) as container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        target = min(2.0, (duration or 0) / 10)
        try:
            if target > 0 and stream.time_base:
                container.seek(int(target / stream.time_base), stream=stream, any_frame=False, backward=True)
            for index, frame in enumerate(container.decode(stream)):
                if index > _MAX_PACKETS_FOR_POSTER:
                    break
                if frame.time is None or frame.time >= target or index > 50:
                    return frame.to_image().convert("RGB")
        except (av.error.FFmpegError, ValueError) as exc:
            raise Rejected("The video is damaged: no frame could be decoded.") from exc
    raise Rejected("The video is damaged: no frame could be decoded.")
