"""Run every jupytext py:percent notebook in notebooks/ (they assert their own checks)."""

import glob
import os
import runpy

import matplotlib.pyplot as plt
import pytest

from conftest import ROOT

NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.py")))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    runpy.run_path(path, run_name="__main__")
    plt.close("all")
