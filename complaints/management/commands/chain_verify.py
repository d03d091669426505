"""manage.py chain_verify: recompute every case's event chain and report any break (exit status 1)."""

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.selectors.chain import ChainCheck, chain_check, chain_heads, checkpoint_check


class Command(BaseCommand):
    help = (
        "Verify the hash chain of every case's history (docs/integrity.md): each event recomputed from its "
        "fields and the one before it, no gap in the positions, the last one the recorded head. Lists each break "
        "(a deleted or edited event) and exits with status 1 if there is any. With --checkpoint FILE, also "
        "checks that every head recorded in FILE by an earlier run is still in its chain, then writes the "
        "current heads to FILE: keep it outside the database, where a database superuser cannot rewrite it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--report", type=int, action="append", dest="reports", help="Only this report id")
        parser.add_argument("--checkpoint", type=Path, help="JSON file of heads from an earlier run")

    def handle(self, *args, reports=None, checkpoint: Path | None = None, **options):
        counted = ChainCheck()
        breaks = [str(b) for b in chain_check(report_ids=reports, result=counted)]
        if checkpoint and checkpoint.exists():
            earlier = json.loads(checkpoint.read_text())
            if reports:
                earlier = {k: v for k, v in earlier.items() if int(k) in reports}
            breaks += [str(b) for b in checkpoint_check(earlier)]
        for line in breaks:
            self.stderr.write(line)
        if breaks:
            raise CommandError(f"{len(breaks)} break(s) in the history of {counted.reports} case(s)")
        if checkpoint and not reports:
            # Written only from an intact database; replaced atomically, so a crash never leaves half a file.
            partial = checkpoint.with_name(checkpoint.name + ".tmp")
            partial.write_text(json.dumps(chain_heads(), indent=0))
            os.replace(partial, checkpoint)
        self.stdout.write(f"{counted.reports} case(s), {counted.events} event(s): every chain intact")
