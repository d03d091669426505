"""manage.py identity_reencrypt: move every encrypted identity value and keyed hash to the newest keys."""

from django.core.management.base import BaseCommand

from complaints.services import identity


class Command(BaseCommand):
    help = (
        "Re-encrypt every identity field under the newest key of POSKO_IDENTITY_KEYS and recompute the keyed "
        "hashes under the newest key of POSKO_IDENTITY_HASH_KEYS, in batches. Safe to interrupt and re-run: "
        "rows already on the newest keys are skipped. Then the old keys can be removed from the end of the lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size=500, **options):
        for model, counts in identity.identity_reencrypt(batch_size=max(1, batch_size)).items():
            self.stdout.write(
                f"{model}: {counts['updated']} row(s) re-keyed, {counts['current']} already current"
            )
        for key_id, count in identity.pin_key_usage().items():
            name = key_id or "SECRET_KEY (filed before the PIN keys)"
            self.stdout.write(f"tracking PINs under key {name}: {count}")
