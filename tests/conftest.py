import os
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def root():
    return ROOT


@pytest.fixture(autouse=True)
def _paper_checks_on_path(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "paper_checks"))
    yield


def solve_module():
    """replica.solve the module (the package attribute of that name is the function)."""
    import replica  # noqa: F401

    return sys.modules["replica.solve"]
