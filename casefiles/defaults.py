"""The letter texts and form models Posko starts with (loaded by migration 0002; tests that empty the database
load them again). An admin edits them afterwards; loading again never overwrites an edited row.

Sources (looked up for issue 8; cited here as the regulations' annexed forms are the model):
- Perbawaslu 7/2022 (Penanganan Temuan dan Laporan Pelanggaran Pemilihan Umum), its annex "Formulir Model B":
  the Formulir Laporan is Model B.1 (the annex's text: "KOP PENGAWAS PEMILU / FORMULIR LAPORAN / Nomor: ... /
  1. Identitas Pelapor ... 2. Identitas Terlapor ... 3. Peristiwa yang dilaporkan ... 5. Bukti-Bukti ...
  6. Uraian kejadian"); Model B.2 is the Formulir Temuan and Model B.3.1 the Tanda Bukti Perbaikan Laporan, as a
  Bawaslu kab/kota case tool (Bawaslu Kota Depok) prints them, and that tool types signed scans as "FORMULIR
  MODEL B.1" ... "B.21" plus "LAINNYA".
- Perbawaslu 8/2020 (Penanganan Pelanggaran Pemilihan Gubernur, Bupati dan Wali Kota) as amended by
  Perbawaslu 9/2024: its annex opens with "KOP PENGAWAS PEMILIHAN / FORMULIR LAPORAN".
- The exact text and model numbers of the forms for the invitation to clarification (undangan klarifikasi), the
  referral (penerusan) and the notice of a report's status (pemberitahuan) in either annex could NOT be found in
  the sources reachable here. The default texts below therefore follow the structure of Indonesian official
  letters (kop surat; Nomor, Sifat, Lampiran, Perihal; Yth.; body; place and date; signatory and position;
  tembusan), leave the "form model" line empty, and an admin sets the model number and wording their office
  uses (Admin › Letter templates) once checked against the annex.
"""

INVITATION = """Dalam rangka penanganan dugaan pelanggaran netralitas Aparatur Sipil Negara pada {election} Nomor {case_number}, {office} memerlukan keterangan dan klarifikasi dari Saudara. Sehubungan dengan hal tersebut, kami mengundang Saudara untuk hadir pada:

Hari/tanggal : {session_date}
Pukul : {session_time}
Tempat : {session_place}
Acara : Klarifikasi

Saudara diminta membawa kartu identitas serta dokumen atau bukti lain yang berkaitan dengan perkara tersebut. Kehadiran Saudara tidak dapat diwakilkan.

Demikian undangan ini kami sampaikan. Atas perhatian dan kehadiran Saudara, kami ucapkan terima kasih."""

REFERRAL = """Berdasarkan hasil kajian atas perkara Nomor {case_number} yang diterima pada {received_date} dan diregistrasi pada {registered_date}, {office_short} menyimpulkan bahwa perbuatan {terlapor} ({terlapor_position}, {terlapor_agency}) di {incident_place}, {region}, pada {incident_date} merupakan dugaan pelanggaran netralitas Aparatur Sipil Negara ({categories}).

Keputusan : {decision}
Pemilihan : {election}

Sesuai dengan ketentuan peraturan perundang-undangan, bersama ini kami teruskan dugaan pelanggaran tersebut kepada {agency} untuk ditindaklanjuti. Kajian dan berkas perkara kami lampirkan.

Kami mohon hasil tindak lanjut atas penerusan ini dapat disampaikan kepada {office_short}.

Demikian kami sampaikan. Atas perhatian dan kerja samanya, kami ucapkan terima kasih."""

NOTICE_REGISTERED = """Bersama ini kami beritahukan bahwa laporan yang Saudara sampaikan kepada {office_short} pada {received_date} telah diregistrasi pada {registered_date} dengan Nomor {case_number}.

Laporan tersebut selanjutnya ditangani sesuai dengan ketentuan peraturan perundang-undangan. Perkembangan penanganannya dapat Saudara ikuti pada halaman pelacakan Posko dengan kode pelacakan dan PIN yang Saudara terima saat melapor.

Demikian pemberitahuan ini kami sampaikan. Atas perhatian Saudara, kami ucapkan terima kasih."""

NOTICE_DECISION = """Bersama ini kami beritahukan bahwa laporan Saudara Nomor {case_number} telah selesai dikaji oleh {office_short} dengan keputusan sebagai berikut:

Keputusan : {decision}
Status laporan : {status}
Diteruskan kepada : {agency}

Apabila laporan diteruskan kepada instansi yang berwenang, {office_short} akan memberitahukan hasil tindak lanjutnya kepada Saudara setelah diterima.

Demikian pemberitahuan ini kami sampaikan. Atas perhatian Saudara, kami ucapkan terima kasih."""

NOTICE_OUTCOME = """Bersama ini kami beritahukan bahwa atas laporan Saudara Nomor {case_number} yang telah diteruskan kepada {agency} pada {referral_date}, instansi tersebut telah menyampaikan hasil tindak lanjut sebagai berikut:

Hasil : {outcome}

Dengan demikian penanganan laporan tersebut dinyatakan selesai.

Demikian pemberitahuan ini kami sampaikan. Atas perhatian Saudara, kami ucapkan terima kasih."""

TEMPLATES = [
    ("undangan", "Undangan Klarifikasi", "Penting", "-", INVITATION),
    ("penerusan", "Penerusan Dugaan Pelanggaran Netralitas ASN", "Penting", "1 (satu) berkas", REFERRAL),
    ("pemberitahuan_registrasi", "Pemberitahuan Registrasi Laporan", "Biasa", "-", NOTICE_REGISTERED),
    ("pemberitahuan_putusan", "Pemberitahuan Status Laporan", "Biasa", "-", NOTICE_DECISION),
    ("pemberitahuan_hasil", "Pemberitahuan Hasil Tindak Lanjut", "Biasa", "-", NOTICE_OUTCOME),
]

FORM_MODELS = [
    # slug, code, name, regulation, position
    ("model-b-1", "B.1", "Formulir Laporan", "Perbawaslu 7/2022 (Pemilu), lampiran", 10),
    ("model-b-2", "B.2", "Formulir Temuan", "Perbawaslu 7/2022 (Pemilu), lampiran", 20),
    ("model-b-3-1", "B.3.1", "Tanda Bukti Perbaikan Laporan", "Perbawaslu 7/2022 (Pemilu), lampiran", 30),
    (
        "laporan-pemilihan",
        "",
        "Formulir Laporan (Pemilihan)",
        "Perbawaslu 8/2020 jo. 9/2024 (Pilkada), lampiran",
        40,
    ),
    ("undangan-klarifikasi", "", "Undangan klarifikasi (bertanda tangan)", "", 50),
    ("berita-acara-klarifikasi", "", "Berita acara klarifikasi", "", 60),
    ("kajian", "", "Kajian dugaan pelanggaran", "", 70),
    ("surat-penerusan", "", "Surat penerusan (bertanda tangan)", "", 80),
    ("pemberitahuan", "", "Pemberitahuan kepada pelapor (bertanda tangan)", "", 90),
    ("lainnya", "", "Lainnya", "", 999),
]


def defaults_load(LetterTemplate, FormModel) -> None:
    """Create the default texts and form models that do not exist yet (models passed in, so the migration can
    give its historical ones)."""
    for kind, subject, nature, attachment, body in TEMPLATES:
        LetterTemplate.objects.get_or_create(
            kind=kind,
            office=None,
            defaults={
                "subject": subject,
                "nature": nature,
                "attachment": attachment,
                "body": body,
                "type_code": "PP.01.02",
            },
        )
    for slug, code, name, regulation, position in FORM_MODELS:
        FormModel.objects.get_or_create(
            slug=slug, defaults={"code": code, "name": name, "regulation": regulation, "position": position}
        )
