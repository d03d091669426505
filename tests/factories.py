"""factory_boy factories and valid input for the report form and API."""

import datetime as dt
import io

import factory
from django.utils import timezone
from PIL import Image

from complaints.models import Accused, Election, Region, Report, ViolationCategory
from complaints.services import codes


def jpeg_bytes(width=64, height=48, color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def valid_form_data(**overrides) -> dict:
    """POST data for /lapor/ that passes validation: one terlapor, no files, one link."""
    today = timezone.localdate()
    data = {
        "_action": "submit",
        "election": "pilkada-2024",
        "anonymous": "false",
        "reporter_name": "Siti Aminah",
        "reporter_address": "Jl. Suroyo 12, Kanigaran, Kota Probolinggo",
        "reporter_phone": "0812 3456 7890",
        "reporter_email": "siti@example.org",
        "reporter_nik": "3574014107900003",
        "reporter_type": "voter",
        "incident_date": (today - dt.timedelta(days=3)).isoformat(),
        "known_date": (today - dt.timedelta(days=2)).isoformat(),
        "incident_region": "35.74.04",
        "incident_place": "Kantor Kecamatan Kanigaran",
        "categories": ["etik-foto-bersama"],
        "chronology": "Camat berfoto bersama calon wali kota dengan simbol dua jari dan mengunggahnya di Facebook.",
        "witnesses": "",
        "accused-TOTAL_FORMS": "1",
        "accused-INITIAL_FORMS": "0",
        "accused-0-name": "Budi Santoso",
        "accused-0-nip": "198001012005011002",
        "accused-0-asn_type": "pns",
        "accused-0-position": "Camat Kanigaran",
        "accused-0-agency": "Pemerintah Kota Probolinggo",
        "accused-0-region": "35.74",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-0-url": "https://www.facebook.com/camat.kanigaran/posts/123456789",
        "links-0-caption": "Unggahan foto",
    }
    data.update(overrides)
    return data


def valid_api_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "election": "pilkada-2024",
        "anonymous": "false",
        "reporter_name": "Siti Aminah",
        "reporter_address": "Jl. Suroyo 12, Kanigaran, Kota Probolinggo",
        "reporter_phone": "081234567890",
        "reporter_email": "siti@example.org",
        "reporter_nik": "3574014107900003",
        "reporter_type": "voter",
        "accused_name": "Budi Santoso",
        "accused_nip": "198001012005011002",
        "accused_asn_type": "pns",
        "accused_position": "Camat Kanigaran",
        "accused_agency": "Pemerintah Kota Probolinggo",
        "accused_region": "35.74",
        "incident_date": (today - dt.timedelta(days=3)).isoformat(),
        "known_date": (today - dt.timedelta(days=2)).isoformat(),
        "incident_region": "35.74.04",
        "incident_place": "Kantor Kecamatan Kanigaran",
        "categories": ["etik-foto-bersama", "pp94-fasilitas-negara"],
        "chronology": "Camat berfoto bersama calon wali kota dengan simbol dua jari dan mengunggahnya di Facebook.",
        "links": ["https://www.facebook.com/camat.kanigaran/posts/123456789"],
    }
    data.update(overrides)
    return data


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report
        skip_postgeneration_save = True

    tracking_code = factory.LazyFunction(codes.tracking_code_new)
    pin_salt = factory.LazyFunction(codes.pin_salt_new)
    pin_key = factory.LazyFunction(codes.pin_key_current)
    pin_hash = factory.LazyAttribute(lambda o: codes.pin_hash("123456", o.pin_salt, o.pin_key))
    election = factory.LazyFunction(lambda: Election.objects.get(slug="pilkada-2024"))
    kind = Report.Kind.LAPORAN
    reporter_name = "Siti Aminah"
    reporter_address = "Jl. Suroyo 12"
    reporter_phone = "081234567890"
    reporter_type = Report.ReporterType.VOTER
    incident_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    known_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))
    incident_region = factory.LazyFunction(lambda: Region.objects.get(code="35.74.04"))
    province_code = factory.LazyAttribute(lambda o: o.incident_region.code[:2])
    regency_code = factory.LazyAttribute(lambda o: o.incident_region.code[:5])
    incident_place = "Kantor Kecamatan Kanigaran"
    chronology = "Camat berfoto bersama calon dengan simbol dua jari."

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted or [ViolationCategory.objects.get(slug="etik-foto-bersama")])


class AccusedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accused
        skip_postgeneration_save = True

    report = factory.SubFactory(ReportFactory)
    name = "Budi Santoso"
    position = "Camat Kanigaran"
    agency = "Pemerintah Kota Probolinggo"

    @factory.post_generation
    def registry(self, create, extracted, **kwargs):
        if create:
            from complaints.services.registry import person_resolve

            person_resolve(self)


# Every staff user made by the tests signs in with this password (long enough for any password policy).
STAFF_PASSWORD = "posko-test-password-1"


def staff(username: str, role: str, regions=("35.74",), password: str = STAFF_PASSWORD, *, enrolled=True):
    """A staff user with a role and a jurisdiction (region codes), as the staff service makes them; enrolled
    for the second factor (an authenticator whose codes tests compute with `totp_code`) unless told not."""
    from django.contrib.auth.models import User

    from complaints.services.staff import staff_save

    user = User.objects.create_user(username, f"{username}@posko.test", password)
    staff_save(user=user, role=role, regions=list(regions))
    if enrolled:
        totp_device_for(user)
    return User.objects.get(pk=user.pk)


def totp_device_for(user):
    """The user's confirmed authenticator (TOTP device), made when they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(device, *, at: float | None = None) -> str:
    """The code an authenticator app shows for this device now (or at Unix time `at`), never one the device
    has already accepted (django-otp refuses a time step twice): the next step's code, which it still
    accepts (tolerance 1), when this step's was used."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    step = totp.t()
    if step <= device.last_t:
        if device.last_t + 1 > step + device.tolerance:
            raise RuntimeError("this device's codes for the next steps are used up: wait for the clock")
        totp.time += (device.last_t + 1 - step) * device.step
    return f"{totp.token():0{device.digits}d}"
