"""Run every paper check (the README's main job); exit non-zero if any check fails.

Usage: python paper_checks/run_all.py [--out FIGURES_DIR]
"""

import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# algorithms.py is a benchmark-style capacity scan (an hour or more): run it on its own
SKIP = {"run_all.py", "checklib.py", "algorithms.py"}


def main() -> int:
    scripts = sorted(p for p in glob.glob(os.path.join(HERE, "*.py")) if os.path.basename(p) not in SKIP)
    failed = []
    for path in scripts:
        name = os.path.basename(path)
        print(f"\n##### {name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, path, *sys.argv[1:]])
        print(f"##### {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - t0:.0f} s", flush=True)
        if rc != 0:
            failed.append(name)
    print(f"\n{len(scripts) - len(failed)}/{len(scripts)} paper checks passed" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
