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
# Sanction levels of PP 94/2021 for Pasal 5 huruf n (support for a candidate): angka 1-2 (taking part in a
# campaign; doing so with party or civil-service attributes) carry a medium penalty (Pasal 13); angka 3-7
# (mobilising other civil servants, using state facilities, decisions that favour or harm a candidate,
# partisan gatherings or handing out goods, support letters with KTP copies) a heavy one (Pasal 14 huruf i).
# The specific penalties of each level are PP 94/2021 Pasal 8 ayat (2)-(4) (complaints.models.SanctionDetail).
_PP94_HEAVY = "PP 94/2021 Pasal 14 huruf i (hukuman disiplin berat)"
# The behaviours SKB 2/2022 lists both as code-of-ethics violations (moral sanction, PP 42/2004) and as
# disciplinary ones (heavy penalty): one category each, with both legal bases and the heavier sanction.
_BOTH = f"{_ETHICS} (sanksi moral); {_SKB}; {_PP94} (hukuman disiplin berat)"

# (slug, group, topic, sanction, Indonesian label, English label, example, English example, legal basis).
# PRODUCT.md section 3. Labels in plain words, each with an example a reporter recognises.
CATEGORIES = [
    (
        "etik-kampanye-daring",
        "discipline",
        "online",
        "berat",
        "Mengajak memilih calon di media sosial atau internet",
        "Urging people to vote for a candidate on social media or online",
        "Camat menulis status WhatsApp “Ayo pilih nomor 2”.",
        "A district head posts a WhatsApp status: “Vote number 2”.",
        _BOTH,
    ),
    (
        "etik-interaksi-medsos",
        "discipline",
        "online",
        "berat",
        "Menyukai, membagikan, mengomentari atau mengikuti akun dan grup calon",
        "Liking, sharing, commenting on or following a candidate's account or group",
        "Guru PNS membagikan video kampanye calon di Facebook.",
        "A civil-servant teacher shares a candidate's campaign video on Facebook.",
        _BOTH,
    ),
    (
        "etik-foto-bersama",
        "discipline",
        "online",
        "berat",
        "Berfoto bersama calon atau dengan gaya tangan tanda dukungan",
        "Posing in photos with a candidate or making a hand sign of support",
        "Kepala dinas berfoto dengan calon sambil mengacungkan dua jari.",
        "An agency head poses with a candidate, raising two fingers.",
        _BOTH,
    ),
    (
        "etik-alat-peraga",
        "discipline",
        "campaign",
        "berat",
        "Memasang spanduk, baliho atau stiker calon",
        "Putting up a candidate's banners, billboards or stickers",
        "Lurah memasang baliho calon di depan kantor kelurahan.",
        "A village head puts up a candidate's billboard in front of the village office.",
        _BOTH,
    ),
    (
        "etik-hadir-deklarasi",
        "discipline",
        "campaign",
        "berat",
        "Menghadiri deklarasi atau kampanye calon dan menunjukkan dukungan",
        "Attending a candidate's declaration or campaign and showing support",
        "Sekretaris desa ikut bersorak di panggung kampanye.",
        "A village secretary cheers on the campaign stage.",
        _BOTH,
    ),
    (
        "etik-ikut-kegiatan",
        "ethics",
        "campaign",
        "moral",
        "Ikut acara kampanye, sosialisasi atau perkenalan calon",
        "Taking part in a candidate's campaign, socialisation or introduction event",
        "PNS menjadi pembawa acara sosialisasi calon.",
        "A civil servant hosts a candidate's introduction event.",
        _ETHICS,
    ),
    (
        "etik-kampanye-pasangan",
        "ethics",
        "campaign",
        "moral",
        "Menghadiri kampanye suami atau istri yang menjadi calon",
        "Attending the campaign of a husband or wife who is a candidate",
        "Istri calon bupati yang PNS hadir di kampanye suaminya.",
        "The civil-servant wife of a regent candidate attends his campaign.",
        _ETHICS,
    ),
    (
        "pp94-atribut-pengerahan",
        "discipline",
        "campaign",
        # Angka 2 alone (attributes) is medium; angka 3 (mobilising others) is heavy: the heavier is recorded
        # and the kajian names the level of the case.
        "berat",
        "Berkampanye memakai seragam atau atribut PNS atau partai, atau mengerahkan ASN lain",
        "Campaigning in civil-service uniform or party colours, or mobilising other civil servants",
        "Camat menyuruh para lurah hadir di kampanye calon.",
        "A district head orders the village heads to attend a candidate's campaign.",
        f"{_PP94} angka 2-3; PP 94/2021 Pasal 13 (angka 2, sedang) dan {_PP94_HEAVY} (angka 3)",
    ),
    (
        "pp94-pemberian-barang",
        "discipline",
        "campaign",
        "berat",
        "Membagikan barang atau uang untuk mendukung calon",
        "Handing out goods or money in support of a candidate",
        "Kepala sekolah membagikan sembako bergambar calon.",
        "A head teacher hands out food parcels with a candidate's picture.",
        f"{_PP94} angka 6; {_PP94_HEAVY}",
    ),
    (
        "disiplin-kegiatan-keberpihakan",
        "discipline",
        "campaign",
        "berat",
        "Mengadakan pertemuan, ajakan atau imbauan untuk mendukung calon",
        "Holding meetings, calls or appeals to support a candidate",
        "Kepala dinas mengumpulkan pegawai dan meminta mereka memilih calon tertentu.",
        "An agency head gathers the staff and asks them to vote for a certain candidate.",
        f"{_PP94} angka 6; {_PP94_HEAVY}",
    ),
    (
        "pp94-fasilitas-negara",
        "discipline",
        "office",
        "berat",
        "Memakai fasilitas negara (mobil dinas, kantor, anggaran) untuk kampanye",
        "Using state facilities (official cars, offices, budgets) for campaigning",
        "Mobil dinas dipakai mengangkut peserta kampanye.",
        "An official car carries people to a campaign rally.",
        f"{_PP94} angka 4; {_PP94_HEAVY}",
    ),
    (
        "disiplin-keputusan-menguntungkan",
        "discipline",
        "office",
        "berat",
        "Membuat keputusan atau tindakan yang menguntungkan atau merugikan calon",
        "Decisions or actions that favour or harm a candidate",
        "Bantuan desa hanya diberikan kepada warga pendukung calon tertentu.",
        "Village aid goes only to residents who support a certain candidate.",
        f"{_PP94} angka 5; {_PP94_HEAVY}",
    ),
    (
        "disiplin-dukungan-perseorangan",
        "discipline",
        "politics",
        "berat",
        "Memberi surat dukungan atau fotokopi KTP untuk calon perseorangan",
        "Giving an independent candidate a letter of support or a KTP copy",
        "PNS menyerahkan fotokopi KTP untuk syarat calon independen.",
        "A civil servant hands in a KTP copy towards an independent candidate's nomination.",
        f"{_PP94} angka 7; {_PP94_HEAVY}",
    ),
    (
        "disiplin-bakal-calon",
        "discipline",
        "politics",
        "sedang",
        "Mendaftar ke atau mendekati partai politik sebagai bakal calon",
        "Approaching or registering with a party as a prospective candidate",
        "Kepala dinas mengambil formulir pendaftaran bakal calon di kantor partai.",
        "An agency head collects a prospective-candidate form at a party office.",
        _SKB,
    ),
    (
        "disiplin-tim-pemenangan",
        "discipline",
        "politics",
        "sedang",
        "Menjadi penasihat atau anggota tim sukses calon (berat setelah penetapan calon)",
        "Being an adviser or campaign-team member (heavy once candidates are set)",
        "Nama seorang PNS tercantum dalam susunan tim pemenangan calon.",
        "A civil servant's name is on a candidate's campaign-team list.",
        _SKB,
    ),
    (
        "disiplin-anggota-partai",
        "discipline",
        "politics",
        "pemberhentian",
        "Menjadi anggota atau pengurus partai politik",
        "Being a member or officer of a political party",
        "PNS tercatat sebagai pengurus partai di tingkat kecamatan.",
        "A civil servant is listed as a party officer at district level.",
        "UU 20/2023 tentang ASN Pasal 52 ayat (3) huruf j; PP 17/2020",
    ),
    (
        "lainnya",
        "other",
        "other",
        "",
        "Lainnya",
        "Other",
        "Ceritakan apa yang terjadi di kolom kronologi.",
        "Describe what happened in the account of events.",
        "Dikaji kasus per kasus",
    ),
]

# Near-duplicates folded into the category above that now carries both legal bases (issue 10): the slug on
# the left is retired, its reports and assessments move to the one on the right, and the form and the API
# still accept it as that one.
MERGED = {
    "disiplin-kampanye-medsos": "etik-kampanye-daring",
    "disiplin-like-follow": "etik-interaksi-medsos",
    "disiplin-foto-calon": "etik-foto-bersama",
    "disiplin-alat-peraga": "etik-alat-peraga",
    "disiplin-hadir-mendukung": "etik-hadir-deklarasi",
}


def reference_data_load(Election, ViolationCategory) -> None:  # noqa: N803 (model classes, from a migration)
    """Add or update the shipped elections and categories; rows an admin added are left alone. Works on the
    model as any migration knows it: fields that model does not have yet are skipped."""
    for row in ELECTIONS:
        Election.objects.update_or_create(
            slug=row["slug"], defaults={k: v for k, v in row.items() if k != "slug"}
        )
    fields = {f.name for f in ViolationCategory._meta.get_fields()}
    for position, row in enumerate(CATEGORIES, start=1):
        slug, group, topic, sanction, name, name_en, example, example_en, basis = row
        values = {
            "group": group,
            "topic": topic,
            "sanction": sanction,
            "name": name,
            "name_en": name_en,
            "example": example,
            "example_en": example_en,
            "legal_basis": basis,
            "position": position * 10,
            "active": True,
        }
        ViolationCategory.objects.update_or_create(
            slug=slug, defaults={k: v for k, v in values.items() if k in fields}
        )
    if "merged_into" not in fields:
        return
    for old_slug, new_slug in MERGED.items():
        new = ViolationCategory.objects.get(slug=new_slug)
        copied = {k: getattr(new, k) for k in ("group", "topic", "name", "name_en", "legal_basis")}
        ViolationCategory.objects.update_or_create(
            slug=old_slug,
            defaults={"active": False, "merged_into": new},
            create_defaults={**copied, "active": False, "merged_into": new, "position": 1000},
        )


def categories_merge(ViolationCategory, ReportCategories, AssessmentCategories) -> int:  # noqa: N803
    """Move what named a retired near-duplicate (MERGED) to the category that replaces it: reports and
    assessments name the other one (once); the retired row stays, inactive, as an alias (reference_data_load
    marks it). Safe to run again. The two `*Categories` are the many-to-many through models of Report and Assessment."""
    moved = 0
    for old_slug, new_slug in MERGED.items():
        old = ViolationCategory.objects.filter(slug=old_slug).first()
        new = ViolationCategory.objects.filter(slug=new_slug).first()
        if old is None or new is None:
            continue
        for through, owner in ((ReportCategories, "report_id"), (AssessmentCategories, "assessment_id")):
            already = set(through.objects.filter(violationcategory=new).values_list(owner, flat=True))
            rows = through.objects.filter(violationcategory=old)
            rows.filter(**{f"{owner}__in": already}).delete()
            moved += rows.update(violationcategory=new)
    return moved
