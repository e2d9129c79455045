"""`hygiene --help` and argument errors answer at once: building the parser loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sklearn", "scrapy", "twisted")

LOADED_HEAVY_MODULES = f"""
import sys
import hygiene.cli
hygiene.cli.build_parser()
print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))
"""


def test_building_the_parser_imports_neither_scikit_learn_nor_scrapy():
    done = subprocess.run([sys.executable, "-c", LOADED_HEAVY_MODULES], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
