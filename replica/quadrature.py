"""Gaussian expectations ``E f(z) = int Dz f(z)`` by fixed-node quadrature.

Two rules, both returning nodes and weights that sum to one:

* **Gauss–Hermite** (probabilists' weight ``exp(-z**2/2)``, nodes from
  :func:`scipy.special.roots_hermitenorm`; NumPy's own rule returns NaN weights beyond
  about 400 nodes).  Exponentially accurate for integrands that are smooth on the
  scale of the Gaussian, and badly wrong on kinks or on steep regions narrower than
  the node spacing.
* **Composite Gauss–Legendre**: ``[-L, L]`` is cut into panels at a fixed base grid and
  at breakpoints ``c +- w * offsets`` around every *feature* ``(c, w)`` of the
  integrand -- a kink at ``c`` (``w = 0``) or a steep region of width ``w`` centred at
  ``c`` (for example ``ln H((kappa - sqrt(q) z)/sqrt(1 - q))``: ``c = kappa/sqrt(q)``,
  ``w = sqrt((1 - q)/q)``).  Each panel carries ``n_panel`` Gauss–Legendre nodes times
  the Gaussian density.  Because the panel count is fixed, the rule vectorises over
  arrays of features, which is what nested expectations need: an inner integrand's
  features may depend on the outer fields.

The error of either rule is estimated by refinement: the same expectation with every
node count doubled (:meth:`QuadratureOptions.refined`).
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
from scipy import special as _sc

__all__ = [
    "QuadratureOptions",
    "QuadResult",
    "hermite_rule",
    "composite_rule",
    "gaussian_rule",
    "gaussian_expectation",
    "nested_expectation",
]

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class QuadratureOptions:
    """Node counts and geometry of the Gaussian quadrature rules.

    Parameters
    ----------
    rule : {"auto", "composite", "hermite"}
        ``"auto"`` uses the composite rule for integrands with a kink or a feature
        narrower than ``smooth_width``, Gauss–Hermite for the others; ``"hermite"``
        forces plain Gauss–Hermite everywhere (useful only to show how it fails);
        ``"composite"`` forces the composite rule everywhere.
    n_hermite : int
        Nodes of the Gauss–Hermite rule.
    n_panel : int
        Gauss–Legendre nodes per panel of the composite rule.
    half_width : float
        The composite rule integrates over ``[-half_width, half_width]``; the Gaussian
        mass outside is ``2 H(half_width)`` (1.5e-23 for the default 10).
    base_panels : int
        Number of equal panels of the base grid on ``[-half_width, half_width]``.
    feature_offsets : tuple of float
        Breakpoints are placed at ``c - w*o`` and ``c + w*o`` for each offset ``o``;
        an offset 0 puts one breakpoint on the feature itself.
    bridge_points : int
        Extra breakpoints on each side of a feature, geometrically spaced from the
        largest offset to the base-grid spacing (keeps consecutive panels within a
        bounded length ratio when the width is tiny, e.g. ``1 - q = 1e-8``).
    smooth_width : float
        With ``rule="auto"``, integrands whose features are all at least this wide use
        Gauss–Hermite (their nearest complex singularity is then ~``width`` away from
        the real axis, and 120 nodes converge to machine precision); ``inf`` always
        splits.
    threads : int
        Threads that share the outer nodes of a nested (2-d or deeper) integral (NumPy
        releases the GIL in its array loops); each inner integral is summed whole and the
        outer sum runs after joining, so results differ only in the last bit (the BLAS
        blocking of the inner sums depends on the chunk).  Default: 2, or 1 on a
        single-core machine.
    """

    rule: str = "auto"
    n_hermite: int = 120
    n_panel: int = 10
    half_width: float = 10.0
    base_panels: int = 10
    feature_offsets: tuple = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
    bridge_points: int = 3
    smooth_width: float = 1.0
    threads: int = min(2, os.cpu_count() or 1)

    def __post_init__(self):
        if self.rule not in ("auto", "composite", "hermite"):
            raise ValueError(
                f"rule must be 'auto', 'composite' or 'hermite', got {self.rule!r}"
            )
        if int(self.bridge_points) != self.bridge_points or self.bridge_points < 0:
            raise ValueError(f"bridge_points must be a non-negative integer, got {self.bridge_points!r}")
        for name in ("n_hermite", "n_panel", "base_panels", "threads"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.smooth_width > 0:
            raise ValueError(f"smooth_width must be > 0, got {self.smooth_width!r}")
        if not self.half_width > 0:
            raise ValueError(f"half_width must be > 0, got {self.half_width!r}")
        if any(o < 0 for o in self.feature_offsets):
            raise ValueError("feature_offsets must be >= 0")

    def refined(self) -> "QuadratureOptions":
        """The same rules with every node count doubled (error estimate n -> 2n)."""
        return replace(self, n_hermite=2 * self.n_hermite, n_panel=2 * self.n_panel)

    @functools.cached_property
    def _base_grid(self) -> np.ndarray:
        return np.linspace(-self.half_width, self.half_width, self.base_panels + 1)

    @functools.cached_property
    def _signed_offsets(self) -> np.ndarray:
        offsets = sorted(set(float(o) for o in self.feature_offsets))
        signed = [-o for o in reversed(offsets) if o > 0] + offsets
        return np.array(signed)


@dataclass(frozen=True)
class QuadResult:
    """A quadrature value with its refinement error estimate ``|I(2n) - I(n)|``."""

    value: np.ndarray | float
    error: float


@functools.lru_cache(maxsize=64)
def hermite_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss–Hermite rule normalised to the Gaussian measure.

    Returns nodes ``z`` and weights ``w`` with ``sum(w * f(z)) ~ int Dz f(z)``; exact
    for polynomials of degree ``2n - 1``.
    """
    z, w = _sc.roots_hermitenorm(int(n))
    w = w / w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


@functools.lru_cache(maxsize=64)
def _legendre_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = _sc.roots_legendre(int(n))
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def composite_rule(centers, widths, options: QuadratureOptions | None = None):
    """Composite Gauss–Legendre rule for ``int Dz``, split at features.

    Parameters
    ----------
    centers, widths : array_like, shape ``S + (k,)``
        The ``k`` features of the integrand (``k`` may be 0); any leading shape ``S``
        gives one rule per leading index (features depending on outer fields).
        Non-finite entries are ignored (replaced by a zero-width feature at 0).
    options : QuadratureOptions

    Returns
    -------
    nodes, weights : ndarray, shape ``S + (m,)``
        ``m = (base_panels + k * (len(signed offsets) + 2 * bridge_points)) * n_panel``
        nodes; the weights
        include the Gaussian density and sum to ``1 - 2 H(half_width)``.
    """
    opts = options or QuadratureOptions()
    centers = np.asarray(centers, dtype=float)
    widths = np.abs(np.asarray(widths, dtype=float))
    if centers.shape != widths.shape:
        centers, widths = np.broadcast_arrays(centers, widths)
    bad = ~(np.isfinite(centers) & np.isfinite(widths))
    if bad.any():
        centers = np.where(bad, 0.0, centers)
        widths = np.where(bad, 0.0, widths)
    lead = centers.shape[:-1]
    L = opts.half_width
    feats = centers[..., :, None] + widths[..., :, None] * opts._signed_offsets
    if opts.bridge_points:
        # Geometric bridge from the outermost offset to the base-grid spacing, so that
        # panel lengths never jump by more than a bounded ratio however narrow the feature.
        reach = widths * opts._signed_offsets[-1]
        spacing = 2 * L / opts.base_panels
        ratio = np.maximum(spacing / np.maximum(reach, 1e-300), 1.0) ** (1.0 / (opts.bridge_points + 1))
        k = np.arange(1, opts.bridge_points + 1)
        bridge = reach[..., :, None] * ratio[..., :, None] ** k
        feats = np.concatenate(
            [feats, centers[..., :, None] + bridge, centers[..., :, None] - bridge], axis=-1
        )
    feats = np.clip(feats.reshape(lead + (-1,)), -L, L)
    base = opts._base_grid if not lead else np.broadcast_to(opts._base_grid, lead + opts._base_grid.shape)
    breaks = np.sort(np.concatenate([base, feats], axis=-1), axis=-1)
    a, b = breaks[..., :-1, None], breaks[..., 1:, None]
    # Drop panels that are empty for every rule (offsets clipped at +-L, coinciding
    # breakpoints): they would only carry zero weights.
    used = np.any((b - a) > 0, axis=tuple(range(len(lead))))[..., 0] if lead else ((b - a) > 0)[:, 0]
    if not used.all():
        a, b = a[..., used, :], b[..., used, :]
    x, w = _legendre_rule(opts.n_panel)
    half = 0.5 * (b - a)
    nodes = 0.5 * (a + b) + half * x
    weights = half * w * (_INV_SQRT_2PI * np.exp(-0.5 * nodes * nodes))
    return nodes.reshape(lead + (-1,)), weights.reshape(lead + (-1,))


def gaussian_rule(features=(), options: QuadratureOptions | None = None):
    """Nodes and weights for ``int Dz`` following the options' rule choice.

    ``features`` is a sequence of ``(center, width)`` pairs of scalars or arrays (arrays
    give one rule per element, with the node axis appended last).  With ``rule="auto"``
    the composite rule is used unless every feature is wider than
    ``options.smooth_width`` (then the integrand is smooth on the Gaussian's own scale
    and Gauss–Hermite is both exact enough and cheaper); a kink (width 0) always gets
    the composite rule.
    """
    opts = options or QuadratureOptions()
    if opts.rule == "hermite" or (opts.rule == "auto" and _smooth(features, opts)):
        return hermite_rule(opts.n_hermite)
    if len(features) == 0:
        return composite_rule(np.zeros(0), np.zeros(0), opts)
    centers = [np.asarray(c, float) for c, _ in features]
    widths = [np.asarray(w, float) for _, w in features]
    if all(v.ndim == 0 for v in centers + widths):
        return composite_rule(np.array(centers), np.array(widths), opts)
    shape = np.broadcast_shapes(*(v.shape for v in centers + widths))
    c = np.stack([np.broadcast_to(v, shape) for v in centers], -1)
    w = np.stack([np.broadcast_to(v, shape) for v in widths], -1)
    return composite_rule(c, w, opts)


def _smooth(features, opts) -> bool:
    """True if no feature is narrower than ``opts.smooth_width`` (non-finite: no scale)."""
    for _, w in features:
        w = np.abs(np.asarray(w, dtype=float))
        if np.any(np.isfinite(w) & (w < opts.smooth_width)):
            return False
    return True


def _expect_once(f, features, opts):
    z, w = gaussian_rule(features, opts)
    values = np.asarray(f(z), dtype=float)
    return np.sum(values * w, axis=-1)


def gaussian_expectation(
    f: Callable[[np.ndarray], np.ndarray],
    *,
    features: Sequence[tuple[float, float]] = (),
    options: QuadratureOptions | None = None,
) -> QuadResult:
    """``E f(z)`` for a standard Gaussian ``z``, with a refinement error estimate.

    Parameters
    ----------
    f : callable
        Vectorised integrand; receives the nodes as the last axis of an array and must
        return an array of the same shape.
    features : sequence of (center, width)
        Kinks (``width = 0``) and steep regions of ``f``; the composite rule splits there.
    options : QuadratureOptions

    Examples
    --------
    >>> from replica.quadrature import gaussian_expectation
    >>> r = gaussian_expectation(lambda z: abs(z), features=[(0.0, 0.0)])
    >>> round(float(r.value), 12)  # sqrt(2/pi)
    0.797884560803
    """
    opts = options or QuadratureOptions()
    value = _expect_once(f, features, opts)
    fine = _expect_once(f, features, opts.refined())
    return QuadResult(value=value, error=float(np.max(np.abs(fine - value))))


def nested_expectation(
    f: Callable[..., np.ndarray],
    fields: int,
    *,
    features: Sequence[Sequence[tuple]] | None = None,
    options: QuadratureOptions | None = None,
) -> QuadResult:
    """``E f(z_0, ..., z_{k-1})`` over ``k`` independent standard Gaussian fields.

    The integral is iterated: ``z_0`` outermost.  ``features[j]`` lists the
    ``(center, width)`` pairs of the integrand in ``z_j``; each entry may be a number or
    a callable of the outer fields ``(z_0, ..., z_{j-1})`` (so an inner steep region may
    move with the outer field).  ``f`` receives arrays that broadcast against each other.
    Returns the value and the refinement error estimate.
    """
    if fields not in (1, 2, 3):
        raise ValueError(f"fields must be 1, 2 or 3, got {fields!r}")
    features = list(features or [()] * fields)
    if len(features) != fields:
        raise ValueError("features needs one sequence of (center, width) per field")
    opts = options or QuadratureOptions()

    def once(o):
        def integrate(level, outer):
            feats = [
                tuple(p(*outer) if callable(p) else p for p in pair) for pair in features[level]
            ]
            z, w = gaussian_rule(feats, o)
            # Outer fields gain a trailing axis so that they broadcast against the nodes.
            outer = [np.asarray(v)[..., None] for v in outer]
            z = np.broadcast_to(z, np.broadcast_shapes(z.shape, *(v.shape for v in outer)))
            if level == fields - 1:
                vals = f(*outer, z)
            else:
                vals = integrate(level + 1, outer + [z])
            return np.sum(np.asarray(vals, float) * w, axis=-1)

        return integrate(0, [])

    value = once(opts)
    fine = once(opts.refined())
    return QuadResult(value=value, error=float(np.max(np.abs(fine - value))))
