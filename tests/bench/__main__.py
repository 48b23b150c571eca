"""Benchmarks, run on demand: `make bench` (or `python -m tests.bench [--docs N]`).

Each measure is reported as a ratio to a baseline measured in the same run on the same machine,
never as an absolute time that a test asserts.
"""
from tests.bench.bench_documents import main

main()
