"""Signals the complaints app sends, for apps above it (case files, exports) to act on without complaints
importing them (STYLE.md layers: posko → … → complaints → evidence)."""

from django.dispatch import Signal

# A case moved from one status to another. Sent after the transaction that made the move committed, once per
# move, with: report_id, event_id (the ReportEvent of the move), from_status, to_status, actor_id (None for
# moves made by the system or the reporter). Receivers must be quick: queue a task, do not work here.
case_changed = Signal()

# `manage.py seed_demo` made the demo data; apps above complaints add their own demo rows.
demo_seeded = Signal()
