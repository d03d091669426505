"""Run by casefiles/pdf.py as a child process (`python casefiles/typeset.py`), never imported by Django code:
reads one JSON job on stdin ({"root", "data", "standards", "timestamp", "memory_mb"}), typesets
`<root>/main.typ` with Typst and writes the PDF to stdout.

Typst (a Rust library) keeps what a compilation took (its embedded fonts, about 50 MB) for the life of the
process that ran it; in a child, a long-lived Celery worker or gunicorn process stays small, and a document
that makes Typst run away is stopped by the memory cap and the parent's time limit instead of taking the
worker with it."""

import json
import resource
import sys


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    if job.get("memory_mb"):
        limit = int(job["memory_mb"]) * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:  # a worker's own cap is inherited: never ask for more than it
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    import typst

    try:
        pdf = typst.compile(
            f"{job['root']}/main.typ",
            root=job["root"],
            sys_inputs={"data": job["data"]},
            pdf_standards=job["standards"],
            ignore_system_fonts=True,  # the embedded fonts only: the same PDF on every machine
            timestamp=job["timestamp"],
        )
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        sys.stderr.write(f"{exc.__class__.__name__}: {exc}\n")
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
