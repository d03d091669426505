"""Demo accounts and about fifty realistic reports, for trying Posko out (bin/run loads them)."""

import base64
import datetime as dt
import io
import random

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

from complaints.models import Election, Region, Report, ViolationCategory
from complaints.services import botcheck, history, intake, workflow
from complaints.services.staff import staff_save
from evidence import services as evidence_services

DEMO_PASSWORD = "posko-demo"
# Every demo account signs in with a second factor like production, all with this one TOTP secret (base32, as
# authenticator apps take it; printed in the README and by bin/run). Never use it for a real account.
DEMO_TOTP_SECRET = "POSKODEMOPOSKODEMOPOSKODEMOPOSKO"
ACCOUNTS = [
    ("admin", "admin", "Admin Posko"),
    ("koordinator", "koordinator", "Koordinator Kota Probolinggo"),
    ("staf", "staf", "Staf Bawaslu Kota Probolinggo"),
    ("relawan", "relawan", "Relawan Aliansi LSM Probolinggo"),
]

NAMES = [
    "Agus Salim",
    "Dewi Lestari",
    "Hendra Wijaya",
    "Sri Wahyuni",
    "Bambang Sutrisno",
    "Nur Aini",
    "Joko Prasetyo",
    "Rina Marlina",
    "Ahmad Fauzi",
    "Yuliana Putri",
    "Slamet Riyadi",
    "Fitri Handayani",
    "Eko Saputro",
]
POSITIONS = [
    ("Camat", "Kecamatan"),
    ("Lurah", "Kelurahan"),
    ("Kepala Desa", "Pemerintah Desa"),
    ("Kepala Sekolah", "SD Negeri 2"),
    ("Guru", "SMP Negeri 1"),
    ("Kepala Dinas", "Dinas Pendidikan"),
    ("Sekretaris Camat", "Kecamatan"),
    ("Staf", "Dinas Kesehatan"),
    ("Bidan", "Puskesmas"),
]
STORIES = [
    (
        "etik-foto-bersama",
        "berfoto bersama calon {cand} sambil mengacungkan simbol {n} jari, lalu fotonya diunggah di "
        "akun Facebook pribadinya.",
    ),
    (
        "etik-interaksi-medsos",
        "membagikan ulang video kampanye calon {cand} di Instagram dan mengajak warga memilihnya.",
    ),
    (
        "etik-hadir-deklarasi",
        "hadir dalam deklarasi pasangan calon {cand} dan ikut berorasi di atas panggung.",
    ),
    (
        "pp94-fasilitas-negara",
        "memakai mobil dinas untuk mengantar tim pemenangan calon {cand} ke lokasi kampanye.",
    ),
    (
        "disiplin-kegiatan-keberpihakan",
        "mengumpulkan para ketua RT di balai kelurahan dan mengimbau mereka memilih calon {cand}.",
    ),
    (
        "pp94-pemberian-barang",
        "membagikan sembako bergambar calon {cand} kepada warga saat kegiatan posyandu.",
    ),
    ("etik-alat-peraga", "memasang baliho calon {cand} di pagar kantor tempatnya bekerja."),
    (
        "etik-kampanye-daring",
        "menjadi admin grup WhatsApp pemenangan calon {cand} dan rutin mengirim materi kampanye.",
    ),
]
CANDIDATES = ["nomor urut 1", "nomor urut 2", "nomor urut 3"]
STATUSES = (
    ["submitted"] * 6
    + ["triage"] * 3
    + ["needs_info", "investigation", "clarification", "assessment", "referred", "closed", "rejected"]
)


def _demo_photo(index: int, rng: random.Random) -> bytes:
    image = Image.new(
        "RGB", (960, 720), (rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 900), rng.randrange(0, 660)
        draw.rectangle(
            [x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 120)],
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    draw.rectangle([20, 20, 420, 90], fill=(255, 255, 255))
    draw.text((36, 40), f"BUKTI DEMO #{index:02d} - bukan foto asli", fill=(0, 0, 0))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def demo_accounts_ensure() -> list[str]:
    """Create the demo accounts (password DEMO_PASSWORD), one per role, all covering Jawa Timur (35), where
    the demo reports are, each enrolled for the second factor with DEMO_TOTP_SECRET. Existing accounts keep
    their password and role; a demo account without an authenticator gets the demo one."""
    created = []
    for username, role, full_name in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _, last = full_name.partition(" ")
            user = User.objects.create_user(
                username, f"{username}@posko.local", DEMO_PASSWORD, first_name=first, last_name=last
            )
            staff_save(user=user, role=role, regions=["35"], organisation=full_name)
            created.append(username)
        demo_second_factor_ensure(user)
    return created


def demo_second_factor_ensure(user: User) -> None:
    """Enrol a demo account with the shared demo TOTP secret, unless it has an authenticator already."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)


def demo_reports_ensure(*, count: int = 50, seed: int = 2024) -> int:
    """Create `count` demo reports unless demo reports already exist. Returns how many were created."""
    if Report.objects.filter(incident_place__endswith="(demo)").exists():
        return 0
    rng = random.Random(seed)
    elections = {e.slug: e for e in Election.objects.all()}
    categories = {c.slug: c for c in ViolationCategory.objects.all()}
    districts = list(
        Region.objects.filter(level=3, code__startswith="35.").values_list("code", flat=True)[:400]
    )
    districts = districts or list(Region.objects.filter(level=3).values_list("code", flat=True)[:400])
    regions = {r.code: r for r in Region.objects.filter(code__in=districts)}
    for index in range(1, count + 1):
        election = elections["pemilu-2024" if index % 2 else "pilkada-2024"]
        start, end = election.campaign_start, election.voting_day
        incident = start + dt.timedelta(days=rng.randrange((end - start).days))
        known = incident + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3, 9]))
        category, story = rng.choice(STORIES)
        name = rng.choice(NAMES)
        position, agency = rng.choice(POSITIONS)
        district = regions[rng.choice(districts)]
        anonymous = rng.random() < 0.3
        data = {
            "election": election,
            "anonymous": anonymous,
            "reporter_name": "" if anonymous else rng.choice(NAMES),
            "reporter_address": "" if anonymous else f"Jl. Merdeka {rng.randrange(1, 99)}, {district.name}",
            "reporter_phone": "" if anonymous else f"08{rng.randrange(11, 99)}{rng.randrange(10**7, 10**8)}",
            "reporter_email": "",
            "reporter_nik": "",
            "reporter_type": "" if anonymous else rng.choice(["voter", "voter", "participant", "monitor"]),
            "incident_date": incident,
            "known_date": known,
            "incident_region": district,
            "incident_place": f"{position} {district.name} (demo)",
            "categories": [categories[category]]
            + ([categories["disiplin-kampanye-medsos"]] if index % 5 == 0 else []),
            "chronology": f"{position} {name} "
            + story.format(cand=rng.choice(CANDIDATES), n=rng.choice([1, 2, 3]))
            + " Kejadian ini disaksikan beberapa warga.",
            "witnesses": "" if rng.random() < 0.5 else rng.choice(NAMES),
        }
        accused = [
            {
                "name": name,
                "nip": "",
                "asn_type": rng.choice(["pns", "pppk", "unknown"]),
                "position": f"{position} {district.name.title()}",
                "agency": agency,
                "region": None,
            }
        ]
        files = [
            {
                "file": SimpleUploadedFile(
                    f"IMG_{index:04d}_{k}.jpg", _demo_photo(index * 10 + k, rng), "image/jpeg"
                ),
                "caption": "Foto kejadian",
            }
            for k in range(rng.choice([1, 1, 2]))
        ]
        links = (
            [
                {
                    "url": f"https://www.facebook.com/demo.akun{index}/posts/{rng.randrange(10**9, 10**10)}",
                    "caption": "Unggahan terlapor",
                }
            ]
            if rng.random() < 0.6
            else []
        )
        # Back-date the report into the election it is about, as if it had been filed then.
        filed = timezone.make_aware(dt.datetime.combine(known, dt.time(9 + index % 8, index % 60)))
        with override_settings(POSKO_ARCHIVE_LINKS=False), transaction.atomic():
            # Most demo reports came through the form with the bot check solved; every seventh did not (no
            # JavaScript, or an API client), as in real traffic.
            # (intake records a report without a bot-check result as unverified, "missing").
            verdict = None if index % 7 == 3 else botcheck.BotCheckResult(Report.BotCheck.VERIFIED, "solved")
            receipt = intake.report_submit(
                data=data, accused=accused, files=files, links=links, received_at=filed, bot_check=verdict
            )
            report = receipt.report
            status = rng.choice(STATUSES)
            Report.objects.filter(pk=report.pk).update(
                created_at=filed,
                status_changed_at=filed,
                status=status,
                late=False,
                kind=intake.report_kind(anonymous=anonymous, late=False),
            )
            if status != "submitted":
                history.event_record(
                    report=report,
                    at=filed + dt.timedelta(days=1),
                    from_status="submitted",
                    to_status=status,
                    note="Demo",
                )
            if status in ("investigation", "clarification", "assessment", "referred", "closed"):
                workflow._register(report, filed + dt.timedelta(days=1))
            workflow.due_refresh(report)
        # Demo links point at made-up posts: never fetch them.
        with override_settings(POSKO_ARCHIVE_LINKS=False):
            for item in report.evidence.all():
                evidence_services.evidence_process(evidence_id=item.pk)
    return count
