"""Runs every benchmark in bench/ and writes what they printed, with the machine they ran on, to a Markdown file
(docs/benchmarks.md by default). Started by bin/bench, which provides a Redis of its own; see `bin/bench --help`.

Each benchmark is a script bench/<name>.py that prints its figures. A script added to bench/ must be named in
RUNS below with its full and quick arguments (tests/ops/test_bench.py checks that every one is)."""

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name: (what it measures, full-size arguments, quick arguments). Full sizes are the sizes the issues' targets are
# stated for (mostly each script's defaults); quick ones exercise the same code in seconds to a few minutes.
RUNS: dict[str, tuple[str, list[str], list[str]]] = {
    "intake": (
        "Report submissions per second through gunicorn, against a bare Django view (evidence on the local disk "
        "and on an S3 server)",
        [],
        ["--seconds", "5", "--concurrency", "4", "--gunicorn-workers", "2"],
    ),
    "dedupe": (
        "Duplicate-photo lookup against a growing archive of stored hashes",
        [],
        ["--hashes", "20000", "100000", "--runs", "3"],
    ),
    "evidence": (
        "Evidence pipeline throughput (photos/s) with one and two worker processes against a bare baseline, on "
        "the local disk and an S3 server; peak memory on a 50-megapixel photo, a large video",
        [],
        ["--photos", "8", "--rounds", "1", "--video-mb", "50"],
    ),
    "staff_queue": (
        "The staff queue's first page, the overdue view and full-text search",
        # Issue 11 states the targets at 1,000,000 reports (the script's default, 200,000, is issue 4's size).
        ["--reports", "1000000", "--database", "posko_bench_queue_1m"],
        ["--reports", "5000", "--runs", "10"],
    ),
    "stats": (
        "Staff and public statistics",
        [],
        ["--reports", "5000", "--runs", "10"],
    ),
    "identity": (
        "Reporter identity encrypted at rest, and rotating the keys",
        [],
        ["--reports", "2000", "--rounds", "2000"],
    ),
    "casefile_pdf": (
        "The case file (PDF) of a case with many evidence items",
        [],
        ["--items", "10", "--runs", "2"],
    ),
    "exports": (
        "Case bundles, recaps (CSV, XLSX) and the case file at scale",
        [],
        ["--files", "10", "--total-mb", "50", "--rounds", "1", "--reports", "5000"],
    ),
}


def scripts() -> list[str]:
    """The benchmarks in bench/: every script but the helpers (names starting with _)."""
    return sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_"))


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> list[tuple[str, str]]:
    """What the figures depend on: CPU, cores, memory, OS, Python and the services' versions."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if "model name" in line
        ),
        platform.processor() or platform.machine(),
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")),
        0,
    )
    release = dict(
        line.split("=", 1) for line in _read("/etc/os-release").splitlines() if "=" in line and line.strip()
    )
    os_name = release.get("PRETTY_NAME", platform.system()).strip('"')
    rows = [
        ("CPU", cpu),
        ("Cores (logical)", str(os.cpu_count())),
        ("Memory", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("OS", f"{os_name}, kernel {platform.release()}"),
        ("Python", platform.python_version()),
        ("Load average at start (1 min)", f"{os.getloadavg()[0]:.1f}"),
    ]
    rows.append(("PostgreSQL", _server_version("postgres")))
    rows.append(("Redis", _server_version("redis")))
    return rows


def _server_version(which: str) -> str:
    """The version the benchmarks' servers report (BENCH_PG and BENCH_REDIS, which bin/bench sets)."""
    try:
        if which == "postgres":
            import psycopg2

            base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
            conn = psycopg2.connect(f"{base}/postgres")
            with conn.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            conn.close()
            return version
        import redis

        return redis.Redis.from_url(os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")).info()[
            "redis_version"
        ]
    except Exception as exc:  # noqa: BLE001 - the table says what was not reachable
        return f"not reachable ({exc.__class__.__name__})"


def run(name: str, args: list[str]) -> tuple[int, float, str]:
    """Runs one benchmark; returns its exit status, its duration and what it printed."""
    command = [sys.executable, f"bench/{name}.py", *args]
    started = time.monotonic()
    print(f"== {' '.join(['.venv/bin/python', *command[1:]])}", flush=True)
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    proc.wait()
    return proc.returncode, time.monotonic() - started, "".join(lines)


def markdown(*, quick: bool, results: list[dict], started: dt.datetime, note: str = "") -> str:
    mode = (
        "**quick run** (`bin/bench --quick`: small sizes, one round; the figures show the code works and "
        "its order of magnitude, not the targets' sizes)"
        if quick
        else "full run (`bin/bench`: the sizes the targets are stated for)"
    )
    out = [
        "# Benchmarks",
        "",
        f"Made by `bin/bench{' --quick' if quick else ''}` on {started:%Y-%m-%d %H:%M} UTC: a {mode}. Each "
        "section gives the command that produced its figures and everything it printed. bench/<name>.py says "
        "what each one measures and its target; run one alone with the command shown.",
        "",
        "Benchmarks on a shared machine measure the machine as much as the code: the load average is printed "
        "with each run, and comparisons are made within one run (each script measures its own reference).",
        "",
        *([f"**Note:** {note}", ""] if note else []),
        "## The machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {label} | {value} |" for label, value in machine()],
        "",
    ]
    for r in results:
        status = "finished" if r["status"] == 0 else f"**failed (exit {r['status']})**"
        out += [
            f"## {r['name']}: {r['title']}",
            "",
            f"Command: `{r['command']}` ({status} in {r['seconds']:.0f} s)",
            "",
            "```text",
            r["output"].rstrip(),
            "```",
            "",
        ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bin/bench", description="Run the benchmarks in bench/.")
    parser.add_argument("--quick", action="store_true", help="small sizes: minutes instead of hours")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these benchmarks only (names in bench/)")
    parser.add_argument("--out", default="docs/benchmarks.md", help="the Markdown file to write")
    parser.add_argument("--note", default="", help="a sentence put at the top (the conditions of the run)")
    args = parser.parse_args()
    missing = sorted(set(scripts()) - set(RUNS))
    if missing:
        parser.error(f"bench/_run.py does not know how to run {', '.join(missing)}: add it to RUNS")
    names = args.only or scripts()
    unknown = sorted(set(names) - set(RUNS))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (bench/: {', '.join(scripts())})")
    started = dt.datetime.now(dt.UTC)
    results = []
    out = ROOT / args.out if not os.path.isabs(args.out) else Path(args.out)
    for name in names:
        title, full, quick = RUNS[name]
        chosen = quick if args.quick else full
        status, seconds, output = run(name, chosen)
        results.append(
            {
                "name": name,
                "title": title,
                "command": " ".join([".venv/bin/python", f"bench/{name}.py", *chosen]),
                "status": status,
                "seconds": seconds,
                "output": output,
            }
        )
        # Written after each benchmark: an interrupted run keeps what it measured.
        out.write_text(markdown(quick=args.quick, results=results, started=started, note=args.note))
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(r["status"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
