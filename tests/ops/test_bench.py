"""bin/bench: every benchmark in bench/ is run, and what it prints lands in the Markdown file under a heading
of its own with the command that produced it and the machine it ran on. Timings themselves are never checked
(the machines are shared): the quick run of one small benchmark shows the whole path works."""

import subprocess

from bench import _run
from tests.ops.envnames import ROOT


def test_every_benchmark_in_bench_has_a_full_and_a_quick_run():
    assert _run.scripts(), "no benchmarks found"
    assert set(_run.scripts()) == set(_run.RUNS)
    for name, (title, _full, quick) in _run.RUNS.items():
        assert title and quick, name


def test_the_quick_run_writes_the_machine_and_each_benchmark_with_its_command(tmp_path):
    out = tmp_path / "benchmarks.md"
    result = subprocess.run(
        [str(ROOT / "bin" / "bench"), "--quick", "--only", "identity", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = out.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "**quick run**" in text
    assert "## The machine" in text
    for row in ("| CPU |", "| Cores (logical) |", "| Memory |", "| OS |", "| Python |", "| PostgreSQL |"):
        assert row in text, row
    assert "not reachable" not in text
    assert "## identity: Reporter identity encrypted at rest" in text
    assert "Command: `.venv/bin/python bench/identity.py --reports 2000 --rounds 2000` (finished in" in text
    # The figures the benchmark printed, in the section's block.
    section = text.split("## identity:", 1)[1]
    assert "µs encrypted" in section and "rows re-keyed" in section
