import pytest
from django.core.exceptions import ValidationError

from complaints.validators import validate_nik, validate_nip, validate_phone


@pytest.mark.parametrize("nik", ["3574014107900003", "3574 0141 0790 0003", "3574010101000001"])
def test_it_accepts_well_formed_niks(nik):
    assert validate_nik(nik) == nik.replace(" ", "")


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("357401410790000", "nik_length"),
        ("35740141079000031", "nik_length"),
        ("3574013207900003", "nik_birthdate"),  # day 32
        ("3574017207900003", "nik_birthdate"),  # day 72 - 40 = 32
        ("3574010113900003", "nik_birthdate"),  # month 13
        ("3574014107900000", "nik_serial"),
    ],
)
def test_it_rejects_malformed_niks(nik, code):
    with pytest.raises(ValidationError) as exc:
        validate_nik(nik)
    assert exc.value.code == code


def test_it_checks_the_nik_province_when_asked():
    with pytest.raises(ValidationError) as exc:
        validate_nik("9974014107900003", province_exists=lambda code: code == "35")
    assert exc.value.code == "nik_province"


def test_a_woman_born_on_29_february_passes():
    assert validate_nik("3574016902000001")


@pytest.mark.parametrize(
    ("nip", "asn_type"),
    [
        ("198001012005011002", "pns"),
        ("198001012005011002", "unknown"),
        ("199203152023212001", "pppk"),  # PPPK: appointment "month" 21 is a code, not a month
        ("199203152023212001", "unknown"),
    ],
)
def test_it_accepts_well_formed_nips(nip, asn_type):
    assert validate_nip(nip, asn_type=asn_type) == nip


@pytest.mark.parametrize(
    ("nip", "asn_type", "code"),
    [
        ("19800101200501100", "pns", "nip_length"),
        ("198013012005011002", "pns", "nip_birthdate"),
        ("198001012099011002", "pns", "nip_appointment_year"),
        ("198001011985011002", "pns", "nip_appointment_year"),  # appointed at five
        ("199203152023212001", "pns", "nip_pns_month"),
        ("198001012005011002", "pppk", "nip_pppk_code"),
        ("198001012005013002", "pns", "nip_sex"),
        ("198001012005011000", "pns", "nip_serial"),
    ],
)
def test_it_rejects_malformed_nips(nip, asn_type, code):
    with pytest.raises(ValidationError) as exc:
        validate_nip(nip, asn_type=asn_type)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("0812 3456 7890", "081234567890"),
        ("+62 812-3456-7890", "081234567890"),
        ("(0335) 421234", "0335421234"),
    ],
)
def test_it_normalises_phone_numbers(raw, digits):
    assert validate_phone(raw) == digits


@pytest.mark.parametrize("raw", ["12345", "call me", "+1 555 123 4567 8888 9999"])
def test_it_rejects_odd_phone_numbers(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)
