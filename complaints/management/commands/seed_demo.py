from django.core.management.base import BaseCommand

from complaints.services.demo import (
    ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    demo_accounts_ensure,
    demo_reports_ensure,
)
from complaints.signals import demo_seeded


class Command(BaseCommand):
    help = "Create demo accounts (one per role) and about fifty demo reports. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=50)

    def handle(self, *args, reports, **options):
        created = demo_accounts_ensure()
        made = demo_reports_ensure(count=reports)
        demo_seeded.send(sender=self.__class__)
        if created:
            self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD!r}): {', '.join(created)}")
        self.stdout.write(
            f"Demo accounts sign in with an authenticator app set to the secret {DEMO_TOTP_SECRET}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(ACCOUNTS)} accounts, {made} new demo reports")
        )
