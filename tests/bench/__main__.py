"""Benchmarks, run on demand: `make bench` (or `python -m tests.bench [documents|records|people|training] [--docs N]`).

Each measure is reported as a ratio to a baseline measured in the same run on the same machine,
never as an absolute time that a test asserts.
"""
import sys

which = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "all"
if which in ("documents", "all"):
    from tests.bench.bench_documents import main as documents

    sys.argv = [sys.argv[0]] + [a for a in sys.argv[1:] if a.startswith("-")]
    documents()
if which in ("records", "all"):
    from tests.bench.bench_records import main as records

    records()
if which in ("people", "all"):
    from tests.bench.bench_people import main as people

    people()
if which in ("training", "all"):
    from tests.bench.bench_training import main as training

    training()
