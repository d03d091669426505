import datetime as dt

from django.db import migrations

# A generated column keeps the search vector in step with search_text without any code having to remember;
# 'indonesian' is PostgreSQL's Snowball stemmer for Indonesian (so "berkampanye" finds "kampanye").
FORWARD = """
ALTER TABLE complaints_report ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('indonesian'::regconfig, coalesce(search_text, ''))) STORED;
CREATE INDEX complaints_report_search_gin ON complaints_report USING gin (search);
"""
BACKWARD = """
DROP INDEX IF EXISTS complaints_report_search_gin;
ALTER TABLE complaints_report DROP COLUMN IF EXISTS search;
"""


def search_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def search_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


AGENCIES = [
    # UU 20/2023 (ASN) dissolved KASN; its supervision of ASN neutrality passed to BKN from 23 Aug 2024.
    ("kasn", "Komisi Aparatur Sipil Negara (KASN)", "asn", None, dt.date(2024, 8, 23)),
    ("bkn", "Badan Kepegawaian Negara (BKN)", "asn", dt.date(2024, 8, 24), None),
    # Sentra Gakkumdu: UU 7/2017 Pasal 486; UU 10/2016 Pasal 152.
    ("gakkumdu", "Sentra Penegakan Hukum Terpadu (Gakkumdu)", "criminal", None, None),
]


def agencies_forward(apps, schema_editor):
    ReferralAgency = apps.get_model("complaints", "ReferralAgency")
    for code, name, kind, valid_from, valid_until in AGENCIES:
        ReferralAgency.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "valid_from": valid_from, "valid_until": valid_until})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_case_workflow")]
    operations = [
        migrations.RunPython(search_forward, search_backward),
        migrations.RunPython(agencies_forward, migrations.RunPython.noop),
    ]
