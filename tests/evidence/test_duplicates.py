import io

from PIL import Image

from evidence import services
from evidence.models import DuplicateMatch
from tests import samples
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory


def kinds(item):
    return sorted((m.kind, m.other_id) for m in DuplicateMatch.objects.filter(evidence=item))


def test_the_same_file_in_two_reports_is_matched_both_ways(db):
    content = samples.jpeg_with_exif()
    first = process(attach(ReportFactory(), content, "a.jpg"))
    second = process(attach(ReportFactory(), content, "IMG_9999.jpg"))
    assert kinds(second) == [("sha256", first.pk)]
    assert kinds(first) == [("sha256", second.pk)]


def test_a_resized_recompressed_copy_is_a_similar_photo(db):
    original = samples.scene(1200, 900, seed=4)
    buf_a, buf_b = io.BytesIO(), io.BytesIO()
    original.save(buf_a, "JPEG", quality=92)
    original.resize((600, 450), Image.Resampling.BILINEAR).save(
        buf_b, "JPEG", quality=60
    )  # as WhatsApp would
    first = process(attach(ReportFactory(), buf_a.getvalue(), "asli.jpg"))
    second = process(attach(ReportFactory(), buf_b.getvalue(), "wa.jpg"))
    match = DuplicateMatch.objects.get(evidence=second)
    assert match.kind == "phash" and match.other_id == first.pk and match.distance <= 6


def test_same_bytes_and_similar_pictures_are_found_together_each_once(db):
    """GIVEN a photo stored once, a byte-identical copy of it, and a re-compressed copy
    WHEN the three are processed
    THEN the last one lists the first two as similar pictures, and the byte-identical pair lists each other as
    the same file only (distance 0, not also as a similar picture)."""
    original = samples.scene(1200, 900, seed=5)
    buf_a, buf_b = io.BytesIO(), io.BytesIO()
    original.save(buf_a, "JPEG", quality=92)
    original.save(buf_b, "JPEG", quality=70)
    first = process(attach(ReportFactory(), buf_a.getvalue(), "a.jpg"))
    twin = process(attach(ReportFactory(), buf_a.getvalue(), "b.jpg"))
    recompressed = process(attach(ReportFactory(), buf_b.getvalue(), "c.jpg"))
    assert kinds(twin) == sorted([("sha256", first.pk), ("phash", recompressed.pk)])
    assert kinds(first) == sorted([("sha256", twin.pk), ("phash", recompressed.pk)])
    assert kinds(recompressed) == sorted([("phash", first.pk), ("phash", twin.pk)])


def test_a_different_photo_is_not_matched(db):
    process(attach(ReportFactory(), samples.image_bytes("JPEG", 640, 480, seed=1), "a.jpg"))
    other = process(attach(ReportFactory(), samples.image_bytes("JPEG", 640, 480, seed=7), "b.jpg"))
    assert kinds(other) == []


def test_shares_of_the_same_post_are_matched(db):
    first = services.evidence_attach_link(
        report=ReportFactory(), url="https://twitter.com/BudiS/status/42?s=20"
    )
    second = services.evidence_attach_link(report=ReportFactory(), url="https://x.com/budis/status/42")
    process(first)
    second = process(second)
    assert kinds(second) == [("link", first.pk)]
