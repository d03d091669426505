"""Reporter identity encrypted at rest (issue 9): what it costs per report, and how long rotating the keys of
a whole database takes. Seeds reports on PostgreSQL (as bench/staff_queue.py does), then measures in one run:
- encrypting and reading back the five identity fields of one report (Fernet through the model field), against
  the same five values written and read with no encryption (a plain TextField round trip in memory);
- `identity_reencrypt` over every report after a new key is put in front of the rings.
Run by hand with PostgreSQL on localhost:
    .venv/bin/python bench/identity.py [--reports 50000] [--rounds 20000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import bench_env, fresh_database  # noqa: E402

VALUES = {
    "reporter_name": "Siti Aminah binti Abdullah",
    "reporter_address": "Jl. Suroyo 12, Kanigaran, Kota Probolinggo, Jawa Timur",
    "reporter_phone": "081234567890",
    "reporter_email": "siti.aminah@example.org",
    "reporter_nik": "3574014107900003",
}


def per_report_micros(rounds: int) -> tuple[float, float]:
    """Median µs to prepare the five values for the database and read them back: encrypted, and plain."""
    from django.db import connection, models

    from complaints.fields import EncryptedTextField

    encrypted, plain = EncryptedTextField(), models.TextField()

    def cycle(field) -> float:
        t0 = time.perf_counter()
        for value in VALUES.values():
            stored = field.get_db_prep_value(value, connection)
            if hasattr(field, "from_db_value"):
                field.from_db_value(stored, None, connection)
        return (time.perf_counter() - t0) * 1e6

    samples_enc, samples_plain = [], []
    for _ in range(rounds):  # alternate, so the machine's noise weighs on both alike
        samples_enc.append(cycle(encrypted))
        samples_plain.append(cycle(plain))
    return statistics.median(samples_enc), statistics.median(samples_plain)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    db_name = "posko_bench_identity"
    env = bench_env(db_name, Path(tempfile.mkdtemp(prefix="posko-bench-identity-")) / "media")
    print(f"preparing database {db_name} ...", flush=True)
    fresh_database(env, db_name)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from bench.staff_queue import seed
    from complaints.services.identity import identity_reencrypt
    from posko.keys import FERNET, SECRET, new_key

    t0 = time.perf_counter()
    seed(args.reports)
    print(f"seeded {args.reports} reports in {time.perf_counter() - t0:.0f} s", flush=True)

    enc, plain = per_report_micros(args.rounds)
    print(f"five identity fields, write + read, per report: {enc:.1f} µs encrypted, {plain:.1f} µs plain")

    settings.POSKO_IDENTITY_KEYS = [new_key(FERNET), *settings.POSKO_IDENTITY_KEYS]
    settings.POSKO_IDENTITY_HASH_KEYS = [new_key(SECRET), *settings.POSKO_IDENTITY_HASH_KEYS]
    t0 = time.perf_counter()
    counts = identity_reencrypt(batch_size=args.batch_size)["complaints.Report"]
    seconds = time.perf_counter() - t0
    print(
        f"identity_reencrypt: {counts['updated']} rows re-keyed in {seconds:.1f} s "
        f"({counts['updated'] / seconds:.0f} rows/s, batches of {args.batch_size})"
    )
    t0 = time.perf_counter()
    again = identity_reencrypt(batch_size=args.batch_size)["complaints.Report"]
    print(f"second run: {again['current']} rows already current, checked in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
