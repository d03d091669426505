"""The pipeline on real files the tests make: extracted values, clean viewing copies, faithful hashes."""

import io

import pytest
from PIL import Image

from evidence.models import Evidence
from tests import samples
from tests.evidence.helpers import attach, process, sha256
from tests.factories import ReportFactory

# Every test here runs on a local folder and on the S3 server.
pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def report(db):
    return ReportFactory()


def assert_clean_jpeg(field_file):
    data = field_file.read()
    field_file.close()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info
    # Nothing of the source's metadata survives anywhere in the bytes.
    for marker in (b"Exif\x00\x00", b"xmpmeta", b"http://ns.adobe.com/xap", b"samsung", b"SM-A546E"):
        assert marker not in data
    return image


def test_a_phone_photo_yields_its_exif_and_a_clean_upright_copy(report, store):
    content = samples.jpeg_with_exif(640, 480, orientation=6)
    item = process(attach(report, content, "IMG_20241120.jpg", "image/jpeg"))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.detected_type == "image/jpeg" and item.kind == "photo"
    meta = item.metadata
    assert meta["taken_at"] == "2024-11-20T10:15:00+07:00"
    assert meta["camera_make"] == "samsung" and meta["camera_model"] == "SM-A546E"
    assert meta["orientation"] == 6 and meta["width"] == 640 and meta["height"] == 480
    assert meta["gps"]["latitude"] == pytest.approx(-7.7543, abs=1e-4)
    assert meta["gps"]["longitude"] == pytest.approx(113.2159, abs=1e-4)
    assert meta["has_xmp"] is True
    # Orientation 6 means "rotate 90° clockwise to view": the copy is portrait.
    view = assert_clean_jpeg(item.viewing_copy)
    assert view.size == (480, 640)
    thumb = assert_clean_jpeg(item.thumbnail)
    assert max(thumb.size) == 320
    assert item.sha256 == sha256(content) == store.sha256(item.file.name)
    assert set(item.steps) >= {
        "preflight",
        "identify",
        "sha256",
        "virus_scan",
        "metadata",
        "derive",
        "duplicates",
    }
    assert all(step["ok"] for step in item.steps.values())
    assert item.phash is not None and len(item.phash_hex) == 16


@pytest.mark.parametrize(
    ("fmt", "name", "media_type", "save"),
    [
        ("PNG", "layar.png", "image/png", {}),
        ("WEBP", "wa.webp", "image/webp", {"quality": 80}),
        ("GIF", "anim.gif", "image/gif", {}),
    ],
)
def test_other_photo_formats(report, store, fmt, name, media_type, save):
    content = samples.image_bytes(fmt, **save)
    item = process(attach(report, content, name))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.detected_type == media_type
    assert_clean_jpeg(item.viewing_copy)
    assert item.sha256 == store.sha256(item.file.name)


def test_a_heic_photo_from_an_iphone(report, store):
    content = samples.heic_with_exif()
    item = process(attach(report, content, "IMG_0001.HEIC", "image/heic"))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.detected_type == "image/heif"
    assert item.metadata["camera_model"] == "SM-A546E"
    assert item.metadata["gps"]["latitude"] == pytest.approx(-7.7543, abs=1e-4)
    assert item.metadata["taken_at"].startswith("2024-11-20T10:15:00")
    assert assert_clean_jpeg(item.viewing_copy).size == (480, 360)
    assert item.sha256 == store.sha256(item.file.name)


@pytest.mark.parametrize(
    ("container", "codec", "name", "media_type", "size"),
    [
        ("mp4", "libx264", "video.mp4", "video/mp4", (320, 240)),
        ("mov", "mpeg4", "IMG_0002.MOV", "video/quicktime", (320, 240)),
        ("3gp", "h263", "rekaman.3gp", "video/3gpp", (176, 144)),
        ("webm", "libvpx", "klip.webm", "video/webm", (320, 240)),
        ("mkv", "mpeg4", "klip.mkv", "video/x-matroska", (320, 240)),
    ],
)
def test_videos_are_probed_and_get_a_poster_frame(report, store, container, codec, name, media_type, size):
    content = samples.video_bytes(
        container,
        codec,
        size=size,
        seconds=2,
        metadata={"creation_time": "2024-11-20T03:15:00.000000Z", "location": "-07.7543+113.2159/"},
    )
    item = process(attach(report, content, name))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.detected_type == media_type and item.kind == "video"
    meta = item.metadata
    assert meta["duration_seconds"] == pytest.approx(2.0, abs=0.25)
    assert (meta["width"], meta["height"]) == size
    assert meta["video_codec"] in {"h264", "mpeg4", "h263", "vp8"}
    if container in ("mp4", "mov", "mkv"):
        assert meta["creation_time"].startswith("2024-11-20")
    if container in ("mp4", "mov"):
        assert meta["location"]["latitude"] == pytest.approx(-7.7543)
    poster = assert_clean_jpeg(item.viewing_copy)
    assert poster.size == size
    assert_clean_jpeg(item.thumbnail)
    assert item.sha256 == store.sha256(item.file.name)


def test_audio_gets_its_duration(report):
    item = process(attach(report, samples.audio_bytes(seconds=2), "suara.m4a", "audio/mp4"))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.kind == "audio" and item.detected_type == "audio/mp4"
    assert item.metadata["duration_seconds"] == pytest.approx(2.0, abs=0.2)
    assert item.metadata["audio_codec"] == "aac"
    assert not item.viewing_copy


def test_a_pdf_gets_pages_author_and_a_first_page_thumbnail(report, store):
    content = samples.pdf_bytes(pages=3)
    item = process(attach(report, content, "undangan.pdf", "application/pdf"))
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.kind == "document"
    assert item.metadata["pages"] == 3 and item.metadata["author"] == "Bawaslu Kota Probolinggo"
    thumb = assert_clean_jpeg(item.thumbnail)
    assert thumb.size[1] > thumb.size[0]  # A4 portrait
    assert not item.viewing_copy
    assert item.sha256 == store.sha256(item.file.name)


def test_running_the_pipeline_again_changes_nothing(report):
    item = process(attach(report, samples.jpeg_with_exif(), "a.jpg"))
    before = (
        item.sha256,
        item.metadata,
        item.steps,
        item.viewing_copy.name,
        item.processed_at,
        item.attempts,
    )
    again = process(item)
    assert (
        again.sha256,
        again.metadata,
        again.steps,
        again.viewing_copy.name,
        again.processed_at,
        again.attempts,
    ) == before


def test_a_changed_original_is_caught(report, store):
    item = process(attach(report, samples.jpeg_with_exif(), "a.jpg"))
    store.write(item.file.name, samples.image_bytes("JPEG"))
    type(item).objects.filter(pk=item.pk).update(status="pending")
    item = process(item)
    assert item.status == Evidence.Status.FAILED and "changed" in item.status_reason


def test_a_poison_pill_is_stopped_after_repeated_crashes(report, settings):
    item = attach(report, samples.jpeg_with_exif(), "a.jpg")
    type(item).objects.filter(pk=item.pk).update(
        status="processing", attempts=settings.POSKO_PIPELINE_MAX_ATTEMPTS
    )
    item = process(item)
    assert item.status == Evidence.Status.FAILED and "repeatedly" in item.status_reason
