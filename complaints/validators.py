"""Structure checks for Indonesian identity numbers (they catch typos; they cannot prove a number exists), and
for hosts that imitate other sites."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_DIGITS = re.compile(r"\D")


def digits_only(value: str) -> str:
    return _DIGITS.sub("", value or "")


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def validate_nik(value: str, *, province_exists=None) -> str:
    """NIK (Nomor Induk Kependudukan, UU 24/2013 Pasal 64; Permendagri 72/2019): 16 digits = province (2),
    kab/kota (2), kecamatan (2), birth day (+40 for women), month, two-digit year, serial (4, from 0001).
    Returns the 16 digits."""
    nik = digits_only(value)
    if len(nik) != 16:
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    if province_exists is not None and not province_exists(nik[:2]):
        raise ValidationError(
            _("The first two digits of the NIK are not a province code."), code="nik_province"
        )
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    # The two-digit year is ambiguous; 2000 is a leap year, so 29 February passes whatever the century.
    if _real_date(2000 + year, month, day) is None and _real_date(1900 + year, month, day) is None:
        raise ValidationError(_("The NIK does not contain a valid date of birth."), code="nik_birthdate")
    if nik[12:] == "0000":
        raise ValidationError(
            _("The last four digits of the NIK (serial number) cannot be 0000."), code="nik_serial"
        )
    return nik


def validate_nip(value: str, *, asn_type: str = "unknown") -> str:
    """NIP (Nomor Induk Pegawai, PP 11/2017 as amended by PP 17/2020; Peraturan BKN on NIP): 18 digits =
    birth date YYYYMMDD, first appointment YYYYMM, sex (1 man, 2 woman), serial 001+. For a PNS the appointment
    month is 01-12; a PPPK's NIP carries a two-digit code there that is not a month (e.g. 21).
    Returns the 18 digits."""
    nip = digits_only(value)
    if len(nip) != 18:
        raise ValidationError(_("A NIP has exactly 18 digits."), code="nip_length")
    today = timezone.localdate()
    birth = _real_date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if birth is None or birth.year < 1930 or birth > today:
        raise ValidationError(
            _("The first 8 digits of the NIP must be a real date of birth (YYYYMMDD)."), code="nip_birthdate"
        )
    year, code = int(nip[8:12]), int(nip[12:14])
    if year < birth.year + 15 or year > today.year:
        raise ValidationError(
            _("Digits 9-12 of the NIP must be the year of first appointment."), code="nip_appointment_year"
        )
    is_month = 1 <= code <= 12
    if asn_type == "pns" and not is_month:
        raise ValidationError(
            _("For a PNS, digits 13-14 of the NIP are the month of appointment (01-12)."),
            code="nip_pns_month",
        )
    if asn_type == "pppk" and (is_month or code == 0):
        raise ValidationError(
            _("For a PPPK, digits 13-14 of the NIP are a code that is not a month (for example 21)."),
            code="nip_pppk_code",
        )
    if asn_type not in ("pns", "pppk") and code == 0:
        raise ValidationError(_("Digits 13-14 of the NIP cannot be 00."), code="nip_code")
    if nip[14] not in "12":
        raise ValidationError(_("Digit 15 of the NIP (sex) must be 1 or 2."), code="nip_sex")
    if nip[15:] == "000":
        raise ValidationError(
            _("The last three digits of the NIP (serial number) cannot be 000."), code="nip_serial"
        )
    return nip


def validate_phone(value: str) -> str:
    """Indonesian phone numbers: 08xx, +628xx or 628xx mobiles, or a landline with area code; 9-15 digits."""
    raw = (value or "").strip()
    if not re.fullmatch(r"\+?[0-9 ()\-.]{8,24}", raw):
        raise ValidationError(
            _("Enter a phone number with digits only, for example 0812 3456 7890."), code="phone_format"
        )
    digits = digits_only(raw)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if not digits.startswith("0") or not 9 <= len(digits) <= 14:
        raise ValidationError(
            _("Enter an Indonesian phone number, for example 0812 3456 7890."), code="phone_format"
        )
    return digits


# Scripts whose letters pass for Latin ones ("а" is Cyrillic, "ο" Greek): a host that uses them, or that mixes
# Latin with another script in one label, can imitate a known site (an IDN homograph, Unicode TR 39 section 5
# "mixed-script detection"; browsers show such hosts as xn--… for the same reason). Evidence links are opened
# by staff, so such a host is refused; internationalised names in a single other script (Arabic, Chinese…)
# stay accepted.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def _scripts(label: str) -> set[str]:
    import unicodedata

    out = set()
    for char in label:
        if char.isascii():
            out.add("LATIN" if char.isalpha() else "COMMON")
            continue
        name = unicodedata.name(char, "")
        out.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return out - {"COMMON"}


def lookalike_host(host: str) -> bool:
    """Whether a host name (as typed, or in its xn-- form) could imitate another site: see above."""
    for label in host.lower().rstrip(".").split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                return True  # an xn-- label that does not decode is not a name anyone means to visit
        scripts = _scripts(label)
        if scripts & set(_LOOKALIKE_SCRIPTS) or ("LATIN" in scripts and len(scripts) > 1):
            return True
    return False
