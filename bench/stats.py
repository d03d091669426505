"""Statistics at scale (issue 8): seeds 200,000 reports on PostgreSQL as bench/staff_queue.py does, adds what
the figures read (first triage moves, registrations, assessments, referrals and agencies' outcomes, the
people who did them), then measures through the whole Django view (queries and template):

- /staf/statistik/ for the coordinator of a province (Jawa Timur, about 78,000 of the reports): computed in
  the request (what the first visit of a jurisdiction and set of filters costs), and served from the cache
  (every later visit: a copy older than POSKO_STATS_STAFF_CACHE_SECONDS is served while a task refreshes it);
- /statistik/ with a cold cache (the public figures computed on every request) and warm (served from Redis).

Run by hand with PostgreSQL and Redis on localhost:
    .venv/bin/python bench/stats.py [--reports 200000] [--runs 40] [--reuse]
Target: p95 under 300 ms for each.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import bench_env, fresh_database  # noqa: E402
from bench.staff_queue import measure, seed  # noqa: E402

PEOPLE = [("bench-relawan-1", "relawan"), ("bench-relawan-2", "relawan"), ("bench-relawan-3", "relawan")]
PEOPLE += [("bench-staf-1", "staf"), ("bench-staf-2", "staf"), ("bench-koordinator", "koordinator")]


def seed_workflow() -> None:
    """What the workflow would have recorded for each report's status (staff_queue.seed gives report g the
    status (g % 12): 0-1 received, 2-3 triage, 4 needs correction, 5 investigation, 6 clarification,
    7 assessment, 8 referred, 9-10 closed, 11 rejected), with durations spread over hours and days."""
    from django.contrib.auth.models import User
    from django.db import connection

    from complaints.services.staff import staff_save

    ids = {}
    for username, role in PEOPLE:
        user = User.objects.get_or_create(username=username)[0]
        staff_save(user=user, role=role, regions=["35"])
        ids[username] = user.pk
    volunteers = "ARRAY[" + ",".join(str(ids[u]) for u, r in PEOPLE if r == "relawan") + "]"
    officers = "ARRAY[" + ",".join(str(ids[u]) for u, r in PEOPLE if r == "staf") + "]"
    with connection.cursor() as cur:
        # Idempotent: what an earlier run added goes first.
        cur.execute("DELETE FROM complaints_referral")
        cur.execute("DELETE FROM complaints_assessment")
        # Events are append-only (PostgreSQL triggers refuse DELETE row by row); TRUNCATE empties the table of a
        # bench database that holds nothing else worth keeping.
        cur.execute("TRUNCATE complaints_reportevent")
        cur.execute(
            "UPDATE complaints_report SET registered_at = NULL, case_number = NULL, assigned_to_id = NULL, "
            "triaged_at = NULL, decided_at = NULL, referral_sent_on = NULL, agency_outcome_at = NULL"
        )
        # The first move out of "received", by a volunteer, 10 minutes to about 3 days after receipt.
        cur.execute(f"""
            INSERT INTO complaints_reportevent (report_id, kind, at, actor_id, from_status, to_status, note, data, seq,
                chain_hash)
            SELECT id, 'transition', created_at + ((10 + (id * 7919) % 4300) || ' minutes')::interval,
                   ({volunteers})[1 + id % 3], 'submitted',
                   CASE WHEN status = 'rejected' THEN 'rejected' WHEN status = 'needs_info' THEN 'needs_info'
                        ELSE 'triage' END, '', '{{}}', 1, ''
            FROM complaints_report WHERE status <> 'submitted'""")
        # As history.event_record does, the first move is kept on the report too (Report.triaged_at).
        cur.execute("""
            UPDATE complaints_report r SET triaged_at = e.at FROM complaints_reportevent e
            WHERE e.report_id = r.id AND e.kind = 'transition' AND e.from_status = 'submitted'""")
        # Registration: from investigation onwards, half a day to five days after receipt.
        cur.execute("""
            UPDATE complaints_report SET registered_at = created_at + ((12 + (id * 31) % 108) || ' hours')::interval,
                   case_number = 'BENCH/' || id
            WHERE status IN ('investigation', 'clarification', 'assessment', 'referred', 'closed')""")
        cur.execute(f"""
            INSERT INTO complaints_reportevent (report_id, kind, at, actor_id, from_status, to_status, note, data, seq,
                chain_hash)
            SELECT id, 'transition', registered_at, ({volunteers})[1 + id % 3], 'triage', 'investigation', '', '{{}}', 2, ''
            FROM complaints_report WHERE registered_at IS NOT NULL""")
        # The kajian's decision: 1 to 12 days after registration (so some miss the legal deadline).
        cur.execute(f"""
            INSERT INTO complaints_assessment (report_id, findings, legal_basis, recommended_sanction,
                recommended_sanction_detail, criminal_element, decision, author_id, decided_at)
            SELECT id, 'Temuan kajian.', '', 'berat', '', false,
                   CASE WHEN status = 'closed' AND id % 2 = 0 THEN 'not_violation' ELSE 'violation' END,
                   ({officers})[1 + id % 2], registered_at + ((20 + (id * 17) % 270) || ' hours')::interval
            FROM complaints_report WHERE status IN ('assessment', 'referred', 'closed')""")
        cur.execute(f"""
            INSERT INTO complaints_reportevent (report_id, kind, at, actor_id, from_status, to_status, note, data, seq,
                chain_hash)
            SELECT report_id, 'assessment', decided_at, ({officers})[1 + report_id % 2], '', '', '', '{{}}', 3, ''
            FROM complaints_assessment""")
        # Referral: sent 0 to 6 days after the decision; closed ones got the agency's outcome 5 to 95 days on.
        cur.execute("""
            INSERT INTO complaints_referral (report_id, agency_id, letter_number, sent_on, remind_every_days,
                outcome, outcome_sanction, outcome_sanction_detail, outcome_note, outcome_recorded_at, created_by_id)
            SELECT a.report_id, (SELECT id FROM complaints_referralagency WHERE code = 'bkn'), 'BENCH',
                   (a.decided_at AT TIME ZONE 'Asia/Jakarta')::date + (a.report_id % 7)::int, 14,
                   CASE WHEN r.status = 'closed' THEN 'sanctioned' ELSE '' END, '', '', '',
                   CASE WHEN r.status = 'closed'
                        THEN a.decided_at + ((5 + a.report_id % 91) || ' days')::interval END, NULL
            FROM complaints_assessment a JOIN complaints_report r ON r.id = a.report_id
            WHERE a.decision = 'violation' AND r.status IN ('referred', 'closed')""")
        # As workflow.case_assess, referral_record and referral_outcome do, the steps after the kajian are kept
        # on the report too (Report.decided_at, referral_sent_on, agency_outcome_at).
        cur.execute("""
            UPDATE complaints_report r SET decided_at = a.decided_at FROM complaints_assessment a
            WHERE a.report_id = r.id""")
        cur.execute("""
            UPDATE complaints_report r SET referral_sent_on = f.sent_on, agency_outcome_at = f.outcome_recorded_at
            FROM complaints_referral f WHERE f.report_id = r.id""")
        # Open cases are assigned to someone.
        cur.execute(f"""
            UPDATE complaints_report SET assigned_to_id = CASE WHEN status IN ('triage', 'needs_info')
                THEN ({volunteers})[1 + id % 3] ELSE ({officers})[1 + id % 2] END
            WHERE status IN ('triage', 'needs_info', 'investigation', 'clarification', 'assessment', 'referred')""")
    connection.cursor().execute("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the database a previous run seeded"
    )
    parser.add_argument(
        "--redo-workflow",
        action="store_true",
        help="with --reuse: seed the workflow part again, keep the reports",
    )
    args = parser.parse_args()
    db_name = "posko_bench_stats"
    env = bench_env(db_name, Path(tempfile.mkdtemp(prefix="posko-bench-stats-")) / "media")
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    env["POSKO_NAMESPACE"] = f"bench-stats-{os.getpid()}"
    if not args.reuse:
        print(f"preparing database {db_name} ...", flush=True)
        fresh_database(env, db_name)
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from stats.selectors.public import CACHE_KEY

    if not args.reuse or args.redo_workflow:
        t0 = time.perf_counter()
        if not args.reuse:
            seed(args.reports)
        seed_workflow()
        print(
            f"seeded {args.reports} reports and their workflow in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    coordinator = User.objects.get(username="bench-koordinator")
    staff_client = Client()
    staff_client.force_login(coordinator)
    # Staff sessions count only once verified by a second factor (issue 9): as after a right code.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import session_mark_verified

    device = TOTPDevice.objects.get_or_create(user=coordinator, confirmed=True, defaults={"name": "bench"})[0]
    session = staff_client.session
    session_mark_verified(session, device)
    session.save()
    public_client = Client()

    from django.conf import settings

    def staff_page():
        assert staff_client.get("/staf/statistik/").status_code == 200

    def staff_cold():
        settings.POSKO_STATS_STAFF_CACHE_SECONDS = 0  # computed on every request
        staff_page()

    # The largest kab/kota of the province: what a drill-down from the province's table computes.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT regency_code FROM complaints_report WHERE province_code = '35' GROUP BY 1 ORDER BY count(*) DESC "
            "LIMIT 1"
        )
        regency = cur.fetchone()[0]

    def staff_regency_cold():
        settings.POSKO_STATS_STAFF_CACHE_SECONDS = 0
        assert staff_client.get("/staf/statistik/", {"region": regency}).status_code == 200

    def staff_warm():
        settings.POSKO_STATS_STAFF_CACHE_SECONDS = 60  # kept for a minute (the default)
        staff_page()

    def queue_page():
        assert staff_client.get("/staf/", {"status": "open"}).status_code == 200

    def public_cold():
        cache.delete(CACHE_KEY)
        assert public_client.get("/statistik/").status_code == 200

    def public_warm():
        assert public_client.get("/statistik/").status_code == 200

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE province_code = '35'), count(*), "
            "(SELECT count(*) FROM complaints_reportevent), (SELECT count(*) FROM complaints_assessment), "
            "(SELECT count(*) FROM complaints_referral) FROM complaints_report"
        )
        in_scope, total, events, assessments, referrals = cur.fetchone()
    print(
        f"{total} reports ({in_scope} in the coordinator's province), {events} events, {assessments} "
        f"assessments, {referrals} referrals; {args.runs} runs each (ms):"
    )
    print(f"{'':38}{'p50':>8}{'p95':>8}{'max':>8}")
    runs = {
        # The staff queue, measured by bench/staff_queue.py on a quieter machine (README: p95 106 ms): the
        # reference that tells how loaded the machine is during this run.
        "/staf/ queue (reference)": queue_page,
        "/staf/statistik/ computed (first visit)": staff_cold,
        "/staf/statistik/ from the cache": staff_warm,
        "/staf/statistik/?region=<kab/kota> computed": staff_regency_cold,
        "/statistik/ cold cache": public_cold,
        "/statistik/ warm cache": public_warm,
    }
    results = {}
    for name, fn in runs.items():
        fn()  # warm the connection and templates
        results[name] = r = measure(fn, args.runs)
        print(f"{name:38}{r['p50']:8.1f}{r['p95']:8.1f}{r['max']:8.1f}")
    reference = results.pop("/staf/ queue (reference)")
    for name, r in results.items():
        ratio = r["p95"] / reference["p95"]
        print(
            f"target {name} p95 < 300 ms: {'MET' if r['p95'] < 300 else 'NOT MET'} "
            f"({ratio:.2f} × the queue page's p95 in this run)"
        )
    cache.delete(CACHE_KEY)


if __name__ == "__main__":
    main()
