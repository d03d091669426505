"""manage.py retention_sweep: apply the retention rules now (the beat schedule runs the same daily)."""

from django.core.management.base import BaseCommand

from complaints.services import retention


class Command(BaseCommand):
    help = (
        "Purge rejected reports older than POSKO_RETENTION_REJECTED_DAYS (rows and files) and archive closed "
        "cases older than POSKO_RETENTION_CLOSED_DAYS (reporter identity erased); each is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what is due")
        parser.add_argument("--batch-size", type=int, default=500, help="Reports per rule and round")

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        if dry_run:
            self.stdout.write(
                f"due: {retention.purge_due().count()} rejected report(s) to purge, "
                f"{retention.archive_due().count()} closed case(s) to archive"
            )
            return
        purged = archived = 0
        while True:  # rounds of batch_size until nothing is due; safe to interrupt and run again
            done = retention.retention_sweep(limit=max(1, batch_size))
            purged, archived = purged + done["purged"], archived + done["archived"]
            if not done["purged"] and not done["archived"]:
                break
        self.stdout.write(f"purged {purged} rejected report(s), archived {archived} closed case(s)")
