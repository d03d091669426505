"""The case file at its size limit (issue 8): a registered case with 100 evidence items (12-megapixel-class
photos carrying EXIF and GPS, processed by the real pipeline so each has its thumbnail), a clarification, an
assessment, a timeline and custody events, in a database of its own; then the case file is made several times,
masked and with identity, and the times are printed. Run by hand with PostgreSQL on localhost:
    .venv/bin/python bench/casefile_pdf.py [--items 100] [--runs 7]
Target: under 2 s for the case file with 100 evidence items and their thumbnails.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import bench_env, fresh_database  # noqa: E402


def photo(index: int) -> bytes:
    from PIL import Image, ImageDraw

    from tests.samples import exif_block

    image = Image.new("RGB", (1600, 1200), (40 + index % 180, 90, 160 - index % 120))
    draw = ImageDraw.Draw(image)
    for k in range(10):
        x = (k * 157 + index * 31) % 1400
        draw.rectangle(
            [x, (k * 97) % 1000, x + 200, (k * 97) % 1000 + 150], fill=((k * 40) % 255, index % 255, 90)
        )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85, exif=exif_block(orientation=1))
    return buf.getvalue()


def seed(items: int):
    import datetime as dt

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from casefiles.models import Office
    from complaints.models import Accused, Election, Region, Report, ViolationCategory
    from complaints.services import codes, workflow
    from complaints.services.staff import staff_save
    from evidence import services as evidence_services
    from evidence.models import CustodyEvent

    def person(name, role, regions):
        user = User.objects.create_user(name, f"{name}@bench.local", "bench-password-1")
        staff_save(user=user, role=role, regions=regions)
        return User.objects.get(pk=user.pk)

    relawan, staf = person("relawan", "relawan", ["35"]), person("staf", "staf", ["35.74"])
    Office.objects.create(
        name="Badan Pengawas Pemilihan Umum",
        name_line2="Kota Probolinggo",
        short_name="Bawaslu Kota Probolinggo",
        code="K.JI-22",
        region=Region.objects.get(code="35.74"),
        address="Jl. Panglima Sudirman, Kota Probolinggo",
        city="Probolinggo",
        signatory_name="Ketua (bench)",
        signatory_position="Ketua Bawaslu Kota Probolinggo",
    )
    salt = codes.pin_salt_new()
    report = Report.objects.create(
        tracking_code=codes.tracking_code_new(),
        pin_salt=salt,
        pin_hash=codes.pin_hash("123456", salt),
        election=Election.objects.get(slug="pilkada-2024"),
        status="triage",
        kind="laporan",
        reporter_name="Siti Aminah",
        reporter_address="Jl. Suroyo 12",
        reporter_phone="081234567890",
        reporter_type="voter",
        incident_date=timezone.localdate() - dt.timedelta(days=3),
        known_date=timezone.localdate() - dt.timedelta(days=2),
        incident_region=Region.objects.get(code="35.74.04"),
        province_code="35",
        regency_code="35.74",
        incident_place="Kantor Kecamatan Kanigaran",
        chronology="Camat berfoto bersama calon dengan simbol dua jari dan mengunggahnya di Facebook.\n\n"
        * 5,
    )
    report.categories.set(ViolationCategory.objects.filter(slug="etik-foto-bersama"))
    Accused.objects.create(report=report, name="Budi Santoso", nip="198001012005011002", position="Camat")
    t0 = time.perf_counter()
    for index in range(items):
        item = evidence_services.evidence_attach_file(
            report=report,
            upload=SimpleUploadedFile(f"IMG_{index:04d}.jpg", photo(index), "image/jpeg"),
            position=index,
        )
        evidence_services.evidence_process(evidence_id=item.pk)
        CustodyEvent.objects.create(
            evidence=item, actor=staf, action="view_original", reason="bench", sha256=""
        )
    print(f"{items} photos processed by the pipeline in {time.perf_counter() - t0:.1f} s", flush=True)
    workflow.case_transition(report=report, user=relawan, to_status="investigation")
    workflow.case_transition(report=report, user=staf, to_status="clarification")
    session = workflow.clarification_schedule(
        report=report,
        user=staf,
        scheduled_for=timezone.now(),
        place="Kantor Bawaslu",
        invite_terlapor=True,
        invite_reporter=False,
        witnesses="",
    )
    workflow.clarification_minutes(clarification=session, user=staf, minutes="Terlapor mengakui.", files=[])
    return Report.objects.get(pk=report.pk)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db_name = "posko_bench_casefile"
    env = bench_env(db_name, Path(tempfile.mkdtemp(prefix="posko-bench-casefile-")) / "media")
    env["POSKO_ARCHIVE_LINKS"] = "0"
    print(f"preparing database {db_name} ...", flush=True)
    fresh_database(env, db_name)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the workflow's notice task runs here, not on a worker
    from posko.celery import app

    app.conf.task_always_eager = True
    import pypdf

    from casefiles.services import casefile_render

    report = seed(args.items)
    thumbs = report.evidence.exclude(thumbnail="").count()
    casefile_render(report=report, include_identity=False, language="id")  # warm: imports, fonts
    medians = []
    for identity in (False, True):
        times, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = casefile_render(report=report, include_identity=identity, language="id")
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        label = "with identity" if identity else "masked"
        medians.append(statistics.median(times))
        print(
            f"case file, {args.items} evidence items ({thumbs} thumbnails), {label}: "
            f"wall median {statistics.median(times):.2f} s (max {max(times):.2f} s), "
            f"CPU of this process median {statistics.median(cpu):.2f} s, over {args.runs} runs; "
            f"{pages} pages, {len(pdf) / 1e6:.1f} MB"
        )
    # The machine is shared: say how busy it was, since wall time under load is not the program's own.
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"target under 2 s (wall, median): {'MET' if max(medians) < 2 else 'NOT MET'}")


if __name__ == "__main__":
    main()
