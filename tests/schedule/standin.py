"""A stand-in for `hygiene crawl` in runner unit tests: `--db PATH --json MODE ...` sleeps, exits, or hangs.

MODE is `sleep SECONDS [PAGES CLEAN CONTAMINATED]` (then prints a `--json` style summary), `exit CODE`, or
`hang PIDFILE [stubborn]` (starts a grandchild that sleeps, writes its pid to PIDFILE and sleeps; `stubborn`
ignores SIGTERM). The end-to-end tests use the real `hygiene crawl`.
"""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

db, mode, *rest = sys.argv[2], *sys.argv[4:]
print(f"stand-in crawl: db={db} mode={mode} {rest}", flush=True)
if mode == "sleep":
    time.sleep(float(rest[0]))
    if rest[1:]:
        pages, clean, contaminated = map(int, rest[1:])
        print(json.dumps({"pages_seen": pages, "clean": clean, "contaminated": contaminated, "db": db}))
elif mode == "exit":
    sys.exit(int(rest[0]))
elif mode == "hang":
    if rest[1:] == ["stubborn"]:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(rest[0]).write_text(str(grandchild.pid))
    time.sleep(600)
