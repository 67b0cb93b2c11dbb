"""The paper checks run end to end (into a temporary folder) and pass."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.parametrize("script", [
    "gardner.py",
    pytest.param("franz_parisi.py", marks=pytest.mark.slow),  # ~2.5 min
    pytest.param("dense_clusters.py", marks=pytest.mark.slow),  # ~1 min
    pytest.param("sampler_vs_theory.py", marks=pytest.mark.slow),  # ~4 min
])
def test_paper_check_passes(script, tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "paper_checks", script), "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "NO " not in r.stdout
    stems = {os.path.splitext(f)[0] for f in os.listdir(tmp_path) if f.endswith((".png", ".pdf"))}
    for stem in stems:
        assert os.path.exists(tmp_path / f"{stem}.png") and os.path.exists(tmp_path / f"{stem}.pdf")
    assert stems
