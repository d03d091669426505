"""Process failed evidence items again, for operators: by id, or every failed item (e.g. after the object
store or the database came back). Safe to run twice: an item that is no longer failed is left alone."""

from django.core.management.base import BaseCommand, CommandError

from evidence import services
from evidence.models import Evidence


class Command(BaseCommand):
    help = "Process failed evidence items again (recorded in the chain of custody with the reason)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="evidence ids (UUIDs)")
        parser.add_argument("--all-failed", action="store_true", help="every item whose processing failed")
        parser.add_argument("--reason", required=True, help="why, recorded for each item")

    def handle(self, *args, ids, all_failed, reason, **options):
        if bool(ids) == bool(all_failed):
            raise CommandError("give evidence ids or --all-failed (not both)")
        if len(reason.strip()) < 10:
            raise CommandError("give a reason of at least 10 characters")
        if all_failed:
            ids = list(Evidence.objects.filter(status=Evidence.Status.FAILED).values_list("pk", flat=True))
        queued = skipped = 0
        for pk in ids:
            try:
                item = services.evidence_reprocess(evidence_id=pk, reason=f"[operator] {reason}")
            except Exception as exc:  # noqa: BLE001 - a malformed id must not stop the others
                self.stderr.write(f"{pk}: {exc.__class__.__name__}: {exc}")
                skipped += 1
                continue
            if item is None:
                skipped += 1
                self.stdout.write(f"{pk}: not failed, left alone")
            else:
                queued += 1
        self.stdout.write(self.style.SUCCESS(f"{queued} item(s) queued again, {skipped} left alone"))
