"""Duplicate-photo lookup as the archive grows (issue 11, docs/scaling.md): the pipeline's own
`evidence.pipeline.dedupe.similar()` for a new photo, against N stored photo hashes, at several N. The query
compares the 64-bit difference hash with every stored one (no index can answer a Hamming distance), so its cost
grows with the archive. Run by hand with PostgreSQL on localhost:
    .venv/bin/python bench/dedupe.py [--hashes 100000 500000 2000000] [--runs 7]
No target: the figures say when the scan needs an index of its own (docs/scaling.md).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import bench_env, fresh_database  # noqa: E402


def grow_to(total: int, report_ids: list[int]) -> None:
    """Stored photos with random hashes, added in SQL until the table holds `total` of them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM evidence_evidence WHERE phash IS NOT NULL")
        have = cursor.fetchone()[0]
        if total <= have:
            return
        cursor.execute(
            """
            INSERT INTO evidence_evidence (id, position, kind, caption, file, original_name, declared_type, url,
                size, sha256, status, status_reason, attempts, created_at, report_id, account, detected_type,
                finished_runs, metadata, normalized_url, phash, platform, post_id, quarantined, steps, thumbnail,
                url_key, viewing_copy)
            SELECT gen_random_uuid(), 0, 'photo', '', 'originals/bench.jpg', 'IMG.jpg', 'image/jpeg', '',
                2000000, md5(g::text) || md5((g + 1)::text), 'ready', '', 1, now(),
                (%s::bigint[])[1 + g %% cardinality(%s::bigint[])], '', 'image/jpeg', 1, '{}', '',
                ((random() - 0.5) * 1.8e19)::bigint, '', '', false, '{}', '', '', ''
            FROM generate_series(%s, %s) AS g
            """,
            [report_ids, report_ids, have + 1, total],
        )
        cursor.execute("ANALYZE evidence_evidence")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hashes", type=int, nargs="+", default=[100_000, 500_000, 2_000_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    db_name = "posko_bench_dedupe"
    env = bench_env(db_name, Path(tempfile.mkdtemp(prefix="posko-bench-dedupe-")) / "media")
    print(f"preparing database {db_name} ...", flush=True)
    fresh_database(env, db_name)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from bench.staff_queue import seed
    from complaints.models import Report
    from evidence.models import Evidence
    from evidence.pipeline.dedupe import similar

    seed(1000)
    report_ids = list(Report.objects.values_list("pk", flat=True))
    limit = settings.POSKO_PHASH_MAX_DISTANCE
    print(f"similar(item, {limit}) of evidence/pipeline/dedupe.py, {args.runs} new photos at each size:")
    for total in sorted(args.hashes):
        t0 = time.perf_counter()
        grow_to(total, report_ids)
        grown = time.perf_counter() - t0
        times = []
        for _ in range(args.runs):
            item = Evidence(pk=uuid.uuid4(), phash=random.getrandbits(64) - 2**63)
            t0 = time.perf_counter()
            similar(item, limit)
            times.append(time.perf_counter() - t0)
        print(
            f"  {total:>9,} stored hashes: median {statistics.median(times) * 1000:8.1f} ms, "
            f"max {max(times) * 1000:8.1f} ms per new photo  (table grown in {grown:.0f} s)",
            flush=True,
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
