"""Showing extracted metadata to staff: readable labels, in a fixed order, trivial fields left out."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = [
    ("taken_at", _("Taken at")),
    ("creation_time", _("Recorded at")),
    ("camera_make", _("Camera make")),
    ("camera_model", _("Camera model")),
    ("device_make", _("Device make")),
    ("device_model", _("Device model")),
    ("software", _("Software")),
    ("gps", _("GPS position")),
    ("location", _("Recorded location")),
    ("width", _("Width (px)")),
    ("height", _("Height (px)")),
    ("orientation", _("EXIF orientation")),
    ("duration_seconds", _("Duration (s)")),
    ("video_codec", _("Video codec")),
    ("audio_codec", _("Audio codec")),
    ("frame_rate", _("Frames per second")),
    ("container", _("Container")),
    ("pages", _("Pages")),
    ("title", _("Title")),
    ("author", _("Author")),
    ("creator", _("Created with")),
    ("producer", _("Producer")),
    ("created", _("Created")),
    ("modified", _("Modified")),
    ("encrypted", _("Encrypted")),
    ("has_xmp", _("Carries XMP metadata")),
]


def _value(key, value, show_location: bool):
    if key in ("gps", "location") and not show_location:
        return _("location recorded")
    if key in ("gps", "location") and isinstance(value, dict):
        text = f"{value.get('latitude')}, {value.get('longitude')}"
        return text + (f" ({value['altitude']} m)" if "altitude" in value else "")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.filter
def metadata_rows(metadata: dict, show_location: bool = False) -> list[tuple[str, object]]:
    """Labelled metadata rows. Coordinates only with `show_location` (evidence.access.can_see_location):
    by default a page says no more than "location recorded"."""
    metadata = dict(metadata or {})
    if metadata.get("orientation") == 1:
        del metadata["orientation"]  # "upright" says nothing
    return [
        (label, _value(key, metadata[key], bool(show_location)))
        for key, label in LABELS
        if key in metadata and metadata[key] not in (None, "", False)
    ]
