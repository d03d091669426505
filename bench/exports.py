"""Exports at scale (issue 8). Run by hand with PostgreSQL and Redis on localhost:
    .venv/bin/python bench/exports.py [--files 100 --total-mb 1024 --rounds 2 --reports 200000]

1. A case bundle of 100 evidence files totalling 1 GB, built by a real Celery worker (one prefork child),
   against `zip -0 -r` of the same files in the same run (alternating, medians compared). Target: at most 1.5
   times as long, with the worker's peak memory (max RSS of the process that built it) under 150 MB.
2. Recaps of 200,000 cases (the seeding of bench/staff_queue.py): CSV under 20 s, XLSX under 60 s, each built
   in a process of its own whose peak memory is measured at two sizes (a province's cases, and all of them):
   it must not grow with the number of rows.
3. The case file (PDF) of a case with 100 evidence items and their thumbnails: under 2 s.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import PY, ROOT, bench_env, celery_worker, fresh_database, stop  # noqa: E402

DB = "posko_bench_exports"


def ensure_zip() -> str:
    path = shutil.which("zip")
    if not path:
        print("installing zip from Debian ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "zip"], check=True, stdout=subprocess.DEVNULL)
        path = shutil.which("zip")
    return path


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def make_staff():
    from django.contrib.auth.models import User

    from complaints.services.staff import staff_save

    user = User.objects.get_or_create(username="bench-officer", defaults={"email": "bench@posko.test"})[0]
    staff_save(user=user, role="koordinator", regions=["35"])
    # The recap of every case: a coordinator of every province (the Admin role holds no case permissions since
    # issue 9, so it can no longer stand for Bawaslu RI here).
    from complaints.models import Region

    national = User.objects.get_or_create(username="bench-national", defaults={"email": "ri@posko.test"})[0]
    provinces = list(Region.objects.filter(code__regex=r"^[0-9]{2}$").values_list("code", flat=True))
    staff_save(user=national, role="koordinator", regions=provinces)
    return User.objects.get(pk=user.pk), User.objects.get(pk=national.pk)


def make_case(user, n_files: int, total_mb: int):
    """A registered case with `n_files` originals of random (incompressible) bytes totalling `total_mb`,
    written through the storage API with their intake hashes, as the pipeline leaves them."""
    from django.core.files.base import File

    from complaints.models import Region, Report
    from complaints.services import codes
    from evidence.models import Evidence

    region = Region.objects.filter(code__startswith="35.74.").order_by("code").first()
    report = Report.objects.create(
        tracking_code=codes.tracking_code_new(),
        pin_hash="x",
        pin_salt="x",
        election_id=1,
        status="investigation",
        kind="laporan",
        reporter_name="Pelapor Bench",
        incident_date="2024-11-20",
        known_date="2024-11-20",
        incident_region=region,
        incident_place="Kantor Kecamatan",
        chronology="Camat berfoto bersama calon dengan simbol dua jari.",
        case_number=f"BENCH/{time.time_ns()}",
        province_code="35",
        regency_code="35.74",
    )
    report.accused.create(name="Budi Santoso", nip="198001012005011002", position="Camat", agency="Pemkot")
    size = total_mb * 1024 * 1024 // max(n_files, 1)
    kinds = ["video", "photo", "document"]
    for i in range(n_files):
        item = Evidence(report=report, position=i, kind=kinds[i % 3], original_name=f"bukti-{i:03d}.bin")
        item.save()
        digest = hashlib.sha256()
        with tempfile.TemporaryFile() as scratch:
            left = size
            while left:
                chunk = os.urandom(min(left, 4 * 1024 * 1024))
                digest.update(chunk)
                scratch.write(chunk)
                left -= len(chunk)
            scratch.seek(0)
            item.file.save(f"bukti-{i:03d}", File(scratch), save=False)
        item.size, item.sha256, item.status = size, digest.hexdigest(), "ready"
        item.save()
    return report


def run_zip(media: Path, report_id: int, out: Path) -> float:
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    subprocess.run(["zip", "-0", "-r", "-q", str(out), f"originals/{report_id}"], cwd=media, check=True)
    elapsed = time.perf_counter() - t0
    out.unlink()
    return elapsed


def run_bundle(user, report) -> tuple[float, int]:
    from exports import services
    from exports.models import Export

    t0 = time.perf_counter()
    export = services.export_request_case(
        user=user, report=report, kind="bundle", reason="Bench: bundle 1 GB"
    )
    services.export_enqueue(export.pk)
    while True:
        export.refresh_from_db()
        if export.status in ("done", "failed"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - t0
    if export.status != "done":
        raise SystemExit(f"bundle failed: {export.error}")
    size = export.size
    export.file.delete(save=False)
    Export.objects.filter(pk=export.pk).update(status="expired", file="")
    return elapsed, size


def bench_bundle(env, args, media: Path, results: dict) -> None:
    from django.db import transaction

    ensure_zip()
    user, _admin = make_staff()
    print(f"writing {args.files} files, {args.total_mb} MB ...", flush=True)
    with transaction.atomic():
        report = make_case(user, args.files, args.total_mb)
        small = make_case(user, args.files, 1)  # as many files (the same case file), 1 MB in all
    log = Path(tempfile.mkdtemp(prefix="posko-bench-worker-")) / "worker.log"
    worker_env = {**env, "POSKO_WORKER_MEMORY_MB": "0"}
    worker = celery_worker(worker_env, log, queue="heavy", name=f"bench-{os.getpid()}@%h")
    try:
        deadline = time.monotonic() + 60
        while not children(worker.pid):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(2)
        run_bundle(user, small)  # a 1 MB bundle of as many files first: the peak to compare with
        small_kb = max(vm_hwm_kb(p) for p in children(worker.pid))
        run_zip(media, report.pk, media / "warm.zip")  # the page cache holds the files for both sides
        zips, bundles = [], []
        for r in range(args.rounds):
            zips.append(run_zip(media, report.pk, media / "baseline.zip"))
            elapsed, size = run_bundle(user, report)
            bundles.append(elapsed)
            print(
                f"  round {r + 1}: zip -0 -r {zips[-1]:.2f} s, bundle {elapsed:.2f} s ({size / 1e6:.0f} MB)",
                flush=True,
            )
        child_kb = max(vm_hwm_kb(p) for p in children(worker.pid))
        main_kb = vm_hwm_kb(worker.pid)
    finally:
        stop(worker)
    zip_s, bundle_s = statistics.median(zips), statistics.median(bundles)
    results["bundle"] = {
        "zip_s": zip_s,
        "bundle_s": bundle_s,
        "ratio": bundle_s / zip_s,
        "worker_peak_mb": child_kb / 1024,
        "worker_peak_after_1mb_bundle_mb": small_kb / 1024,
        "worker_main_peak_mb": main_kb / 1024,
        "rounds_zip": zips,
        "rounds_bundle": bundles,
    }


RECAP_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from django.contrib.auth.models import User
from exports import services
user = User.objects.get(username={username!r})
export = services.export_request_recap(user=user, kind={kind!r}, filters={{"status": "open"}}, reason="Bench: recap")
t0, c0 = time.perf_counter(), time.process_time()
services.export_build(export.pk)
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
export.refresh_from_db()
assert export.status == "done", export.error
export.file.delete(save=False)
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "rows": export.items_total, "bytes": export.size,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def recap_child(env: dict, kind: str, username: str) -> dict:
    code = RECAP_CHILD.format(root=str(ROOT), kind=kind, username=username)
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_recaps(env, args, results: dict) -> None:
    from django.contrib.auth.models import User
    from django.db import connection

    from bench.staff_queue import seed
    from complaints.services.staff import staff_save

    t0 = time.perf_counter()
    seed(args.reports)
    with connection.cursor() as cur:
        # Every seeded case open, so that the queue's "all open" filter gives exactly --reports cases.
        cur.execute("UPDATE complaints_report SET status = 'referred' WHERE status IN ('closed', 'rejected')")
    connection.cursor().execute("VACUUM ANALYZE")
    print(f"seeded {args.reports} reports in {time.perf_counter() - t0:.0f} s", flush=True)
    small = User.objects.get_or_create(username="bench-small")[0]
    staff_save(user=small, role="koordinator", regions=["32"])
    sizes = {}
    for kind in ("csv", "xlsx"):
        for label, username in (("province 32", "bench-small"), ("all", "bench-national")):
            r = recap_child(env, kind, username)
            sizes[(kind, label)] = r
            print(
                f"  {kind} {label:12} {r['rows']:>7} rows  {r['seconds']:6.2f} s (cpu {r['cpu']:.2f} s)  "
                f"{r['bytes'] / 1e6:6.1f} MB  "
                f"peak {r['peak_mb']:.0f} MB",
                flush=True,
            )
    results["recaps"] = {f"{k}/{label}": v for (k, label), v in sizes.items()}


def bench_pdf(user, results: dict) -> None:
    """The case file of a case with 100 photos and their thumbnails (a 256-px JPEG each)."""
    from django.core.files.base import ContentFile
    from PIL import Image

    from casefiles.services import casefile_render
    from evidence.models import Evidence

    report = make_case(user, 0, 0)  # no originals: the 100 photos below (evidence rows cannot be deleted)
    for i in range(100):
        buf = io.BytesIO()
        Image.new("RGB", (256, 192), ((i * 37) % 255, 90, 160)).save(buf, "JPEG", quality=80)
        item = Evidence(
            report=report,
            position=i,
            kind="photo",
            original_name=f"IMG_{i:04d}.jpg",
            size=2_000_000,
            sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            status="ready",
            metadata={"captured_at": "2024-11-20T10:15:00+07:00", "device": "samsung SM-A546E"},
        )
        item.save()
        item.thumbnail.save(f"thumb-{i}.jpg", ContentFile(buf.getvalue()), save=False)
        item.save(update_fields=["thumbnail"])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        pdf = casefile_render(
            report=report, include_identity=False, language="id", signing_fingerprint="f" * 64
        )
        times.append(time.perf_counter() - t0)
    results["pdf"] = {"seconds": statistics.median(times), "rounds": times, "bytes": len(pdf)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--total-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["bundle", "recaps", "pdf"])
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="posko-bench-exports-")) / "media"
    env = bench_env(DB, media)
    env["POSKO_EXPORT_KEY_FILE"] = str(media.parent / "export-key.pem")
    print(f"preparing database {DB} ...", flush=True)
    fresh_database(env, DB)
    setup_django(env)
    results: dict = {}
    try:
        if "bundle" not in args.skip:
            bench_bundle(env, args, media, results)
        if "pdf" not in args.skip:
            bench_pdf(make_staff()[0], results)
        if "recaps" not in args.skip:
            make_staff()
            bench_recaps(env, args, results)
    finally:
        shutil.rmtree(media.parent, ignore_errors=True)

    print(f"\nresults (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    ok = {}
    if "bundle" in results:
        b = results["bundle"]
        ok["bundle"] = b["ratio"] <= 1.5 and b["worker_peak_mb"] < 150
        print(
            f"bundle of {args.files} files, {args.total_mb} MB: {b['bundle_s']:.2f} s vs zip -0 -r {b['zip_s']:.2f} s "
            f"(ratio {b['ratio']:.2f}, target <= 1.5); worker peak {b['worker_peak_mb']:.0f} MB (target < 150): "
            f"{'MET' if ok['bundle'] else 'NOT MET'}"
        )
        print(
            f"  worker peak after a bundle of as many files totalling 1 MB: {b['worker_peak_after_1mb_bundle_mb']:.0f} MB, after the 1 GB ones: "
            f"{b['worker_peak_mb']:.0f} MB (the difference is what streaming 1 GB cost)"
        )
    if "pdf" in results:
        ok["pdf"] = results["pdf"]["seconds"] < 2
        print(
            f"case file, 100 items with thumbnails: {results['pdf']['seconds']:.2f} s (target < 2 s): "
            f"{'MET' if ok['pdf'] else 'NOT MET'}"
        )
    if "recaps" in results:
        r = results["recaps"]
        for kind, limit in (("csv", 20), ("xlsx", 60)):
            big, small = r[f"{kind}/all"], r[f"{kind}/province 32"]
            flat = big["peak_mb"] <= small["peak_mb"] * 1.15 + 10
            ok[kind] = big["seconds"] < limit and flat
            print(
                f"{kind} recap of {big['rows']} cases: {big['seconds']:.1f} s (target < {limit} s); peak memory "
                f"{small['peak_mb']:.0f} MB at {small['rows']} rows, {big['peak_mb']:.0f} MB at {big['rows']} rows "
                f"({'flat' if flat else 'GROWS'}): {'MET' if ok[kind] else 'NOT MET'}"
            )
    print(json.dumps(results, indent=1, default=str), file=sys.stderr)


if __name__ == "__main__":
    main()
