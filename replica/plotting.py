"""Plotting helpers: each takes an ``ax=`` (created if None) and returns it.

:func:`style` applies the style file shipped with the package; :func:`save` writes a
figure as PNG and PDF.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources

__all__ = ["style", "save", "plot_curve"]


def style_path() -> str:
    """Path of the matplotlib style file shipped with replica."""
    return str(resources.files("replica") / "replica.mplstyle")


@contextlib.contextmanager
def style():
    """Context manager applying replica's matplotlib style."""
    import matplotlib.pyplot as plt

    with plt.style.context(style_path()):
        yield


def save(fig, path_stem: str) -> list[str]:
    """Save ``fig`` as ``<path_stem>.png`` and ``<path_stem>.pdf``; returns the paths."""
    folder = os.path.dirname(path_stem)
    if folder:
        os.makedirs(folder, exist_ok=True)
    paths = [f"{path_stem}.png", f"{path_stem}.pdf"]
    for p in paths:
        fig.savefig(p)
    return paths


def plot_curve(curve, y: str, *, ax=None, x_transform=None, **kwargs):
    """Plot column ``y`` of a :class:`~replica.sweep.Curve` against its parameter.

    Failed points are masked (gaps in the line), never drawn as NaN values.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    x = curve.values if x_transform is None else x_transform(curve.values)
    ax.plot(x, curve.column(y), **kwargs)
    return ax
