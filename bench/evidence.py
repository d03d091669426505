"""Evidence pipeline throughput and bounds (issue 3), run by hand with PostgreSQL and Redis on localhost:
    .venv/bin/python bench/evidence.py [--photos 40]

1. 12-megapixel phone photos processed per second by a real Celery worker with two processes, and in the
   same run a baseline that only hashes and thumbnails the same photos with Pillow in two processes.
   Target: at least 8 photos/s and at least 0.6 of the baseline.
2. Peak memory of a process running the pipeline on a 50-megapixel photo. Target: under 300 MB.
3. A 500 MB video hashed and poster-framed. Target: under 10 s.
"""

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._services import PY, ROOT, bench_env, fresh_database, start, stop  # noqa: E402


def phone_photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: smooth scene plus sensor-like noise, with EXIF and GPS, about 3-6 MB at 12 MP."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    base = Image.new(
        "RGB", (width // 8, height // 8), (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    )
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(width // 8), rng.randrange(height // 8)
        draw.ellipse(
            [x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 150)],
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    picture = base.resize((width, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    picture = Image.blend(picture, noise, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "samsung", "SM-A546E", 1
    exif.get_ifd(0x8769)[0x9003] = "2024:11:20 10:15:00"
    exif.get_ifd(0x8825).update({1: "S", 2: (7.0, 45.0, 15.48), 3: "E", 4: (113.0, 12.0, 57.24)})
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


def _baseline_one(path: str) -> str:
    from PIL import Image

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    with Image.open(path) as image:
        image.thumbnail((320, 320))
        image.convert("RGB").save(io.BytesIO(), "JPEG", quality=80)
    return digest.hexdigest()


def _django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def throughput(env: dict, work: Path, count: int, rounds: int) -> dict:
    """Baseline and pipeline over the same photos, alternating `rounds` times; the ratio of the medians is
    reported, so a noisy neighbour on a shared machine weighs on both sides alike."""
    from django.conf import settings
    from django.db.models import Count

    from complaints.models import Region, Report
    from complaints.services import codes
    from evidence.models import Evidence

    photos_dir = work / "photos"
    photos_dir.mkdir()
    print(f"making {count} 12-megapixel photos ...", flush=True)
    paths = []
    for i in range(count):
        path = photos_dir / f"IMG_{i:04d}.jpg"
        path.write_bytes(phone_photo(4000, 3000, seed=i))  # every one a different picture
        paths.append(path)
    sizes = [p.stat().st_size for p in paths]
    report = Report.objects.create(
        tracking_code=codes.tracking_code_new(),
        pin_hash="x",
        pin_salt="x",
        election_id=1,
        kind="laporan",
        incident_date="2024-11-20",
        known_date="2024-11-20",
        incident_region=Region.objects.get(code="35.74"),
        incident_place="bench",
        chronology="bench",
    )
    media = Path(settings.MEDIA_ROOT)

    def items_for_round(n: int) -> list[str]:
        ids = []
        for path in paths:
            item = Evidence.objects.create(report=report, kind="photo", original_name=path.name, size=0)
            target = media / "originals" / str(report.pk) / str(item.pk)
            target.parent.mkdir(parents=True, exist_ok=True)
            # A different trailer after the JPEG's end marker each round: new bytes, same picture work.
            target.write_bytes(path.read_bytes() + f"round-{n}".encode())
            Evidence.objects.filter(pk=item.pk).update(file=f"originals/{report.pk}/{item.pk}")
            ids.append(str(item.pk))
        return ids

    worker = start(
        [
            PY,
            "-m",
            "celery",
            "-A",
            "posko",
            "worker",
            "-l",
            "WARNING",
            "-c",
            "2",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        work / "worker.log",
    )
    baseline_rates, pipeline_rates, statuses = [], [], {}
    try:
        from posko.celery import app

        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5) and time.monotonic() < deadline:
            time.sleep(0.2)
        from evidence.tasks import evidence_process_task

        for n in range(rounds):
            print(
                f"round {n + 1}/{rounds}: baseline (SHA-256 + Pillow thumbnail, 2 processes) ...", flush=True
            )
            # Spawned, not forked: this process has broker and database threads by now.
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                pool.map(abs, [1, 2])  # wait until both processes are up
                t0 = time.perf_counter()
                pool.map(_baseline_one, [str(p) for p in paths], chunksize=1)
                baseline_rates.append(count / (time.perf_counter() - t0))
            ids = items_for_round(n)
            print(f"round {n + 1}/{rounds}: pipeline (real worker, 2 processes) ...", flush=True)
            t0 = time.perf_counter()
            for pk in ids:
                evidence_process_task.delay(pk)
            while Evidence.objects.filter(pk__in=ids, status__in=["pending", "processing"]).exists():
                time.sleep(0.05)
            pipeline_rates.append(count / (time.perf_counter() - t0))
            for status, n_items in (
                Evidence.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id"))
            ):
                statuses[status] = statuses.get(status, 0) + n_items
    finally:
        stop(worker)
    pipeline, baseline = statistics.median(pipeline_rates), statistics.median(baseline_rates)
    return {
        "photos": count,
        "rounds": rounds,
        "mean_mb": sum(sizes) / len(sizes) / 1024 / 1024,
        "pipeline_per_s": pipeline,
        "baseline_per_s": baseline,
        "ratio": pipeline / baseline,
        "pipeline_rounds": pipeline_rates,
        "baseline_rounds": baseline_rates,
        "statuses": statuses,
    }


# Peak memory is read from /proc/self/status (VmHWM, the high-water mark of this process's own memory);
# getrusage's ru_maxrss would carry over the parent's peak across exec on Linux.
_HWM = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
_PEAK_SCRIPT = f"""
import sys, time
import django
django.setup()
from evidence import pipeline
t0 = time.perf_counter()
item = pipeline.run(evidence_id=sys.argv[1])
print(item.status, round(time.perf_counter() - t0, 2), {_HWM}, flush=True)
"""

_IDLE_SCRIPT = f"""
import django
django.setup()
import evidence.pipeline, evidence.pipeline.photos, evidence.pipeline.videos, evidence.pipeline.documents
print({_HWM})
"""


def _item_for_file(path: Path, name: str, kind: str) -> str:
    from django.conf import settings

    from complaints.models import Report
    from evidence.models import Evidence

    report = Report.objects.order_by("pk").first()
    item = Evidence.objects.create(report=report, kind=kind, original_name=name, size=0)
    target = Path(settings.MEDIA_ROOT) / "originals" / str(report.pk) / str(item.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    Evidence.objects.filter(pk=item.pk).update(file=f"originals/{report.pk}/{item.pk}")
    return str(item.pk)


def peak_memory(env: dict, work: Path) -> dict:
    print("making a 50-megapixel photo ...", flush=True)
    path = work / "50mp.jpg"
    path.write_bytes(phone_photo(8660, 5773, 99))
    size_mb = path.stat().st_size / 1024 / 1024
    pk = _item_for_file(path, "50mp.jpg", "photo")
    idle = int(
        subprocess.run(
            [PY, "-c", _IDLE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout.split()[-1]
    )
    out = subprocess.run(
        [PY, "-c", _PEAK_SCRIPT, pk], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    status, seconds, peak_kb = out.stdout.split()[-3:]
    return {
        "photo_mb": size_mb,
        "status": status,
        "seconds": float(seconds),
        "peak_mb": int(peak_kb) / 1024,
        "idle_mb": idle / 1024,
    }


def big_video(env: dict, work: Path, target_mb: int) -> dict:
    import av
    from PIL import Image

    print(f"making a {target_mb} MB video (Motion JPEG, 1080p) ...", flush=True)
    path = work / "big.mkv"
    frames = [Image.frombytes("RGB", (1920, 1080), os.urandom(1920 * 1080 * 3)) for _ in range(6)]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mjpeg", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuvj420p"
        stream.options = {"qscale": "2"}
        i = written = 0
        while written < target_mb * 1024 * 1024:
            for packet in stream.encode(av.VideoFrame.from_image(frames[i % len(frames)])):
                written += packet.size
                out.mux(packet)
            i += 1
        for packet in stream.encode():
            out.mux(packet)
    size_mb = path.stat().st_size / 1024 / 1024
    pk = _item_for_file(path, "big.mkv", "video")
    # Drop the file from the page cache, so hashing reads the disk as it would for a fresh upload.
    os.sync()
    if os.access("/proc/sys/vm/drop_caches", os.W_OK):
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("1\n")
    out = subprocess.run(
        [PY, "-c", _PEAK_SCRIPT, pk], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    status, seconds, peak_kb = out.stdout.split()[-3:]
    from evidence.models import Evidence

    item = Evidence.objects.get(pk=pk)
    return {
        "video_mb": size_mb,
        "status": status,
        "seconds": float(seconds),
        "peak_mb": int(peak_kb) / 1024,
        "has_poster": bool(item.viewing_copy),
        "duration": item.metadata.get("duration_seconds"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--video-mb", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="posko-bench-evidence-"))
    db_name = "posko_bench_evidence"
    env = bench_env(db_name, work / "media")
    env["POSKO_ARCHIVE_LINKS"] = "0"
    env["POSKO_MAX_FILE_MB"] = "2048"
    env.setdefault("POSKO_WORKER_PREFETCH", os.environ.get("POSKO_WORKER_PREFETCH", "1"))
    print(f"preparing database {db_name} ...", flush=True)
    fresh_database(env, db_name)
    _django(env)
    import redis

    redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    results = {
        "throughput": throughput(env, work, args.photos, args.rounds),
        "peak": peak_memory(env, work),
        "video": big_video(env, work, args.video_mb),
    }
    t, p, v = results["throughput"], results["peak"], results["video"]
    rounds = lambda rates: ", ".join(f"{r:.1f}" for r in rates)  # noqa: E731
    print(
        f"\n12 MP photos ({t['mean_mb']:.1f} MB each), {t['photos']} of them, {t['rounds']} alternating rounds, "
        f"cores: {os.cpu_count()}"
    )
    print(
        f"  pipeline (worker, 2 processes):        {t['pipeline_per_s']:6.2f} photos/s (median of "
        f"{rounds(t['pipeline_rounds'])})   {t['statuses']}"
    )
    print(
        f"  baseline (hash + thumbnail, 2 procs):  {t['baseline_per_s']:6.2f} photos/s (median of "
        f"{rounds(t['baseline_rounds'])})"
    )
    print(f"  pipeline / baseline (medians):         {t['ratio']:6.2f}")
    print(
        f"50 MP photo ({p['photo_mb']:.1f} MB): {p['status']} in {p['seconds']:.2f} s, peak RSS {p['peak_mb']:.0f} MB "
        f"(the same process idle, modules loaded: {p['idle_mb']:.0f} MB)"
    )
    print(
        f"{v['video_mb']:.0f} MB video: {v['status']} in {v['seconds']:.2f} s (hash, probe, poster frame), "
        f"poster: {v['has_poster']}, peak RSS {v['peak_mb']:.0f} MB"
    )
    checks = {
        ">= 8 photos/s": t["pipeline_per_s"] >= 8,
        ">= 0.6 of baseline": t["ratio"] >= 0.6,
        "50 MP peak < 300 MB": p["peak_mb"] < 300,
        "500 MB video < 10 s": v["seconds"] < 10 and v["status"] == "ready",
    }
    for name, ok in checks.items():
        print(f"  target {name}: {'MET' if ok else 'NOT MET'}")
    (work / "result.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"details in {work}")


if __name__ == "__main__":
    main()
