"""Reference data that ships with Posko: elections and violation categories. Loaded by a data migration and
by `manage.py load_reference`; both only add or update rows, so an admin's own additions survive."""

import datetime as dt

ELECTIONS = [
    {
        # Pemilu 2024: voting day and campaign period set by PKPU 3/2022 (tahapan dan jadwal Pemilu 2024).
        "slug": "pemilu-2024",
        "name": "Pemilu 2024",
        "kind": "pemilu",
        "voting_day": dt.date(2024, 2, 14),
        "campaign_start": dt.date(2023, 11, 28),
        "campaign_end": dt.date(2024, 2, 10),
        # UU 7/2017 Pasal 454 ayat (6): reports within 7 working days of the violation becoming known;
        # Pasal 454 ayat (7)-(8): follow-up within 7 days, extendable by 7 when more information is needed.
        "filing_days": 7,
        "filing_working_days": True,
        "decision_days": 7,
        "decision_extension_days": 7,
        "initial_assessment_days": 2,
    },
    {
        # Pilkada Serentak 2024: PKPU 2/2024 (tahapan dan jadwal Pemilihan 2024), 545 regions.
        "slug": "pilkada-2024",
        "name": "Pilkada Serentak 2024",
        "kind": "pilkada",
        "voting_day": dt.date(2024, 11, 27),
        "campaign_start": dt.date(2024, 9, 25),
        "campaign_end": dt.date(2024, 11, 23),
        # UU 10/2016 Pasal 134 ayat (4): reports within 7 (calendar) days of becoming known;
        # Pasal 134 ayat (5)-(6): decision within 3 days, extendable by 2.
        "filing_days": 7,
        "filing_working_days": False,
        "decision_days": 3,
        "decision_extension_days": 2,
        "initial_assessment_days": 2,
    },
]

_SKB = "SKB 2/2022 (MenPANRB, Mendagri, BKN, KASN, Bawaslu) tentang Pedoman Netralitas ASN"
_ETHICS = f"{_SKB}; PP 42/2004 Pasal 11 huruf c"
_PP94 = "PP 94/2021 tentang Disiplin PNS, Pasal 5 huruf n"

# (slug, group, sanction, Indonesian label, English label, legal basis). PRODUCT.md section 3.
CATEGORIES = [
    (
        "etik-alat-peraga",
        "ethics",
        "moral",
        "Memasang spanduk, baliho atau alat peraga calon",
        "Putting up banners, billboards or props for a candidate",
        _ETHICS,
    ),
    (
        "etik-kampanye-daring",
        "ethics",
        "moral",
        "Sosialisasi atau kampanye calon di media sosial / daring",
        "Promoting or campaigning for a candidate on social media or online",
        _ETHICS,
    ),
    (
        "etik-hadir-deklarasi",
        "ethics",
        "moral",
        "Menghadiri deklarasi atau kampanye calon dan menunjukkan keberpihakan",
        "Attending a candidate's declaration or campaign and showing support",
        _ETHICS,
    ),
    (
        "etik-interaksi-medsos",
        "ethics",
        "moral",
        "Membuat unggahan, komentar, membagikan, menyukai, bergabung atau mengikuti grup/akun pemenangan calon",
        "Posting, commenting, sharing, liking, joining or following a candidate's campaign group or account",
        _ETHICS,
    ),
    (
        "etik-foto-bersama",
        "ethics",
        "moral",
        "Mengunggah foto bersama calon, tim pemenangan atau alat peraga partai (termasuk simbol jari/tangan)",
        "Publishing a photo with a candidate, their team or party props (including partisan hand gestures)",
        _ETHICS,
    ),
    (
        "etik-ikut-kegiatan",
        "ethics",
        "moral",
        "Ikut dalam kegiatan kampanye, sosialisasi atau pengenalan calon",
        "Taking part in a candidate's campaign, socialisation or introduction events",
        _ETHICS,
    ),
    (
        "etik-kampanye-pasangan",
        "ethics",
        "moral",
        "Menghadiri deklarasi atau kampanye pasangan (suami/istri) yang menjadi calon",
        "Attending the declaration or campaign of a spouse who is a candidate",
        _ETHICS,
    ),
    (
        "disiplin-kampanye-medsos",
        "discipline",
        "berat",
        "Kampanye calon melalui media sosial",
        "Campaigning for a candidate on social media",
        f"{_SKB}; {_PP94}",
    ),
    (
        "disiplin-alat-peraga",
        "discipline",
        "berat",
        "Memasang alat peraga kampanye calon",
        "Putting up campaign props for a candidate",
        f"{_SKB}; {_PP94}",
    ),
    (
        "disiplin-hadir-mendukung",
        "discipline",
        "berat",
        "Menghadiri kampanye dan memberi dukungan kepada calon",
        "Attending a campaign and supporting a candidate",
        f"{_SKB}; {_PP94}",
    ),
    (
        "disiplin-like-follow",
        "discipline",
        "berat",
        "Mengunggah, menyukai atau mengikuti akun calon/pemenangan",
        "Posting about, liking or following a candidate's or campaign account",
        f"{_SKB}; {_PP94}",
    ),
    (
        "disiplin-foto-calon",
        "discipline",
        "berat",
        "Berfoto bersama calon dengan simbol keberpihakan",
        "Posing with a candidate with partisan gestures",
        f"{_SKB}; {_PP94}",
    ),
    (
        "disiplin-kegiatan-keberpihakan",
        "discipline",
        "berat",
        "Mengadakan kegiatan yang mengarah pada keberpihakan (pertemuan, ajakan, imbauan, seruan)",
        "Organising partisan activities (meetings, calls, appeals)",
        f"{_PP94} angka 6",
    ),
    (
        "disiplin-dukungan-perseorangan",
        "discipline",
        "berat",
        "Memberi surat dukungan atau fotokopi KTP untuk calon perseorangan",
        "Supporting an independent candidate with letters or KTP copies",
        f"{_PP94} angka 7",
    ),
    (
        "disiplin-keputusan-menguntungkan",
        "discipline",
        "berat",
        "Membuat keputusan atau tindakan yang menguntungkan atau merugikan calon",
        "Decisions or actions that favour or harm a candidate",
        f"{_PP94} angka 5",
    ),
    (
        "disiplin-bakal-calon",
        "discipline",
        "sedang",
        "Mendekati partai politik sebagai bakal calon",
        "Approaching a party as a prospective candidate",
        _SKB,
    ),
    (
        "disiplin-tim-pemenangan",
        "discipline",
        "sedang",
        "Menjadi penasihat atau anggota tim pemenangan (berat setelah penetapan calon)",
        "Being an adviser or campaign-team member (heavy once candidates are set)",
        _SKB,
    ),
    (
        "disiplin-anggota-partai",
        "discipline",
        "pemberhentian",
        "Menjadi anggota atau pengurus partai politik",
        "Membership of a political party",
        "UU 20/2023 tentang ASN Pasal 52 ayat (3) huruf j; PP 17/2020",
    ),
    (
        "pp94-atribut-pengerahan",
        "discipline",
        "",
        "Kampanye dengan atribut PNS/partai atau mengerahkan ASN lain",
        "Campaigning in uniform or party colours, or mobilising other ASN",
        f"{_PP94} angka 2-3",
    ),
    (
        "pp94-fasilitas-negara",
        "discipline",
        "",
        "Menggunakan fasilitas negara untuk kampanye",
        "Using state facilities for campaigning",
        f"{_PP94} angka 4",
    ),
    (
        "pp94-pemberian-barang",
        "discipline",
        "",
        "Membagikan barang atau uang untuk mendukung calon",
        "Handing out goods or money in support of a candidate",
        f"{_PP94} angka 6",
    ),
    ("lainnya", "other", "", "Lainnya", "Other", "Dikaji kasus per kasus"),
]


def reference_data_load(Election, ViolationCategory) -> None:  # noqa: N803 (model classes, from a migration)
    """Add or update the shipped elections and categories; rows an admin added are left alone."""
    for row in ELECTIONS:
        Election.objects.update_or_create(
            slug=row["slug"], defaults={k: v for k, v in row.items() if k != "slug"}
        )
    for position, (slug, group, sanction, name, name_en, basis) in enumerate(CATEGORIES, start=1):
        ViolationCategory.objects.update_or_create(
            slug=slug,
            defaults={
                "group": group,
                "sanction": sanction,
                "name": name,
                "name_en": name_en,
                "legal_basis": basis,
                "position": position * 10,
            },
        )
