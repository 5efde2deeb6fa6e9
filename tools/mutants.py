"""`make mutants`: mutation testing of the access policy, then its score.

mutmut (configured in pyproject.toml, [tool.mutmut]) mutates consult/policy.py and every
consult/*/policy.py, one small change at a time (`and` for `or`, `is not` for `is`, a dropped
argument, True for False ...), and runs, for each mutant, only the selected tests that call the
function it changed. A mutant the tests notice is killed; one they do not notice survived: either
a test is missing or the change cannot alter behaviour (docs/testing.md lists and explains every
survivor). The run starts afresh each time so the score is never a stale cache's.

    python tools/mutants.py            # the whole run and the score
    python tools/mutants.py --keep     # reuse mutants/ (only what changed is tested again)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"  # mutmut's working copy and results (git-ignored)


def mutmut(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=ROOT,
        check=False,
        text=True,
        capture_output=capture,
    )


def main(argv: list[str]) -> int:
    if "--keep" not in argv:
        shutil.rmtree(WORK, ignore_errors=True)
    children = os.environ.get("MUTANTS_CHILDREN") or str(os.cpu_count() or 2)
    started = time.monotonic()
    run = mutmut("run", "--max-children", children)
    if run.returncode != 0:
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return run.returncode
    mutmut("export-cicd-stats", capture=True)
    stats = json.loads((WORK / "mutmut-cicd-stats.json").read_text())
    listed = mutmut("results", capture=True).stdout.splitlines()
    survivors = [line.strip() for line in listed if line.strip().endswith(": survived")]
    others = [line.strip() for line in listed if line.strip() and line not in survivors]
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    tested = stats["killed"] + stats["survived"] + stats["timeout"] + stats["suspicious"]
    print()
    print(f"Mutants: {stats['total']} in {minutes} min {seconds:02d} s")
    print(
        f"Score: {stats['killed'] + stats['timeout']} killed of {tested} tested "
        f"({100 * (stats['killed'] + stats['timeout']) / max(tested, 1):.1f} %); "
        f"survived {stats['survived']}, no test calls the code {stats['no_tests']}, "
        f"timeout {stats['timeout']}, suspicious {stats['suspicious']}, "
        f"skipped {stats['skipped']}"
    )
    if survivors or others:
        print("Not killed (see docs/testing.md; `.venv/bin/mutmut show <name>` for the change):")
        for line in sorted({*survivors, *(o for o in others if "survived" not in o)}):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
