"""`python -m bench` (what `make bench` runs): every area one after the other, then the report and its summary.

Each area runs in its own process (`python -m bench.<area>`, so one's memory and caches never colour the next)
and writes bench/results/<area>.json; bench.report then rewrites docs/BENCHMARKS.md from those files and prints
the summary table. An area that fails keeps its previous JSON (the report shows its date) and makes the exit
status non-zero. Knobs: BENCH_QUICK=1 (small sizes, for trying things; never for the committed report),
BENCH_ONLY=retrieval,api (run only these areas), BENCH_SKIP=pipelines (skip these), DATASETS_DIR (where the
datasets are; ../shared/datasets by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench._common import DATASETS, ROOT, quick, save_json
from bench.report import AREAS
from bench.report import main as report


def _names(variable: str) -> set[str]:
    return {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}


def main() -> int:
    """Run the areas, save bench/results/run.json, write the report."""
    only, skip = _names("BENCH_ONLY"), _names("BENCH_SKIP")
    unknown = (only | skip) - set(AREAS)
    if unknown:
        print(f"unknown areas {sorted(unknown)}; the areas are {', '.join(AREAS)}", file=sys.stderr)
        return 2
    if not (DATASETS / "bitext_kb_retrieval").is_dir():
        print(f"the datasets are not at {DATASETS}: set DATASETS_DIR to the folder that holds bitext_kb_retrieval, "
              "banking77, ... (shared/datasets next to the project by default)", file=sys.stderr)
        return 2
    started = time.time()
    modules: dict[str, dict[str, object]] = {}
    for area in AREAS:
        if (only and area not in only) or area in skip:
            continue
        print(f"\n=== bench.{area} ({time.time() - started:.0f}s so far) ===", flush=True)
        t = time.time()
        code = subprocess.run([sys.executable, "-m", f"bench.{area}"], cwd=ROOT).returncode
        modules[area] = {"seconds": round(time.time() - t), "ok": code == 0}
        if code:
            print(f"bench.{area} failed with exit status {code}; its previous results (if any) stay", flush=True)
    total = round(time.time() - started)
    save_json("run", {"total_s": total, "modules": modules, "quick": quick()})
    report()
    parts = ", ".join(f"{name} {info['seconds']} s" for name, info in modules.items())
    print(f"\nmake bench: {total} s ({parts})")
    return 0 if all(m["ok"] for m in modules.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
