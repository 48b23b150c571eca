"""Profile one page in process with pyinstrument: `python -m tests.bench profile /documents/ --role agent`.

Builds the demo plus --docs documents (and --records records), signs in as --role, requests the page --repeat
times under the profiler and prints where the time went."""
from __future__ import annotations

import argparse


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench profile")
    parser.add_argument("path")
    parser.add_argument("--role", default="agent")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    from tests.bench.bench_scale import _app
    from tests.bench.served import build_instance

    app = _app(build_instance("profile", args.docs, args.records))
    client = app.test_client()
    client.post("/login", data={"username": args.role, "password": "portal-demo"})
    assert client.get(args.path).status_code == 200, args.path
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    return 0
