"""`make bench`: run every benchmark, one after the other, then repeat their RESULT lines.

Each benchmark runs in its own interpreter (`python -m bench.<name>`), so one's servers and
imports cannot colour the next one's figures; each is bounded in time.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = ("http", "live_fanout", "comments", "papers", "search")
TIMEOUT = 900  # seconds for one benchmark, servers included


def main() -> int:
    results: list[str] = []
    failed: list[str] = []
    for name in BENCHMARKS:
        print(f"== bench/{name}.py", flush=True)
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", f"bench.{name}"],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.startswith("RESULT "):
                    results.append(line.rstrip("\n"))
                if time.monotonic() - started > TIMEOUT:
                    process.terminate()
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            code = -9
        if code != 0:
            failed.append(f"bench/{name}.py exited with {code}")
        print(f"== bench/{name}.py took {time.monotonic() - started:.0f} s", flush=True)
    print(flush=True)
    for line in failed:
        print(line, flush=True)
    for line in results:
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
