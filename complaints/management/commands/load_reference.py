from django.core.management.base import BaseCommand

from complaints.models import Election, ViolationCategory
from complaints.reference import reference_data_load


class Command(BaseCommand):
    help = "Add or update the shipped elections and violation categories (admins' own rows are kept)."

    def handle(self, *args, **options):
        reference_data_load(Election, ViolationCategory)
        self.stdout.write(
            self.style.SUCCESS(
                f"{Election.objects.count()} elections, {ViolationCategory.objects.count()} categories"
            )
        )
