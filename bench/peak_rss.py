"""Run one command on the given CPUs; print its wall time and the peak RSS of its largest process as JSON.

python bench/peak_rss.py --cpus 0,1 -- hygiene clean pages.jsonl -o out.jsonl --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time


def main() -> None:
    """Pin, run, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpus", required=True, help="comma-separated CPU numbers")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(cpu) for cpu in args.cpus.split(",")})
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "wall_s": wall,
                "max_rss_mb": peak,
                "returncode": completed.returncode,
                "stderr_tail": completed.stderr.strip().splitlines()[-3:],
            }
        )
    )


if __name__ == "__main__":
    main()
