from django.core.management.base import BaseCommand

from complaints.models import Assessment, Election, Report, ViolationCategory
from complaints.reference import categories_merge, reference_data_load


class Command(BaseCommand):
    help = "Add or update the shipped elections and violation categories (admins' own rows are kept)."

    def handle(self, *args, **options):
        reference_data_load(Election, ViolationCategory)
        categories_merge(ViolationCategory, Report.categories.through, Assessment.categories.through)
        self.stdout.write(
            self.style.SUCCESS(
                f"{Election.objects.count()} elections, "
                f"{ViolationCategory.objects.filter(active=True).count()} categories"
            )
        )
