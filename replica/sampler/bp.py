r"""Belief propagation (BP) for the binary perceptron, in the central-limit form.

The measure is uniform over the solutions ``W`` in {-1, +1}^N of an :class:`Instance`,
``xi^mu . W / sqrt(N) > kappa`` for every row ``xi^mu = sigma^mu x^mu`` of
``instance.signed_patterns()``, tilted by an external field,

    P(W) ∝ prod_mu theta(xi^mu . W / sqrt(N) - kappa) exp(sum_i h_i W_i),
    h = field + gamma * reference,

so that ``gamma > 0`` with a ±1 ``reference`` gives the local free entropy around the
reference (Baldassi et al. 2015, 2016).

Messages
--------
Variable-to-factor messages are the cavity magnetisations ``m_{i->mu} = tanh(H_i -
u_{mu->i})`` and factor-to-variable messages the cavity fields ``u_{mu->i}``, with the
total fields ``H_i = h_i + sum_mu u_{mu->i}`` (marginals ``m_i = tanh H_i``).  For a
dense factor the sum over ``j != i`` is replaced by a Gaussian of mean and variance

    omega_{mu->i} = sum_{j != i} xi_j m_{j->mu} / sqrt(N),
    V_{mu->i}     = sum_{j != i} (1 - m_{j->mu}^2) / N,

which gives (Braunstein & Zecchina 2006)

    u_{mu->i} = 1/2 log[ H((kappa - omega_{mu->i} - xi_i/sqrt(N)) / sqrt(V_{mu->i}))
                        / H((kappa - omega_{mu->i} + xi_i/sqrt(N)) / sqrt(V_{mu->i})) ],

H(x) = erfc(x / sqrt 2) / 2, evaluated as ``log_ndtr(-x)`` (finite far in the tails).
All messages are updated in parallel (one *sweep*), with damping
``u <- damping u_old + (1 - damping) u_new``.  The iteration stops when the undamped
change ``max_{mu,i} sqrt(N) |u_new - u_old|`` (the cavity fields are O(1/sqrt N), so this
is the change on their natural scale) falls below ``tol``.

Threshold.  The stability sum ``S = xi . W`` takes values of the parity of N spaced by
2; the Gaussian stands for this lattice variable with the threshold put half-way between
the largest violating and the smallest satisfying value ("continuity correction"):
``kappa_eff = (t - 1) / sqrt(N)`` with ``t`` the smallest value of the parity of N with
``t > kappa sqrt(N)``.  For kappa = 0 this is 0 at odd N but ``1/sqrt(N)`` at even N, where
``S = 0`` violates the strict inequality -- an O(1/sqrt N) effect on the entropy per
weight (``continuity=False`` uses ``kappa`` itself, the N -> infinity threshold).

Bethe free entropy
------------------
The Bethe free entropy (Mézard & Montanari 2009, ch. 14: sum of factor terms plus
variable terms minus edge terms, with normalised messages) is evaluated at the final
messages.  With ``nu_{i->mu}(W) ∝ exp((H_i - u_{mu->i}) W)`` and ``nuhat_{mu->i}(W) ∝
exp(u_{mu->i} W)`` the variable term ``F_i = log 2cosh H_i - sum_mu log 2cosh u_{mu->i}``
and the edge terms ``F_{i mu} = log cosh H_i - log cosh(H_i - u_{mu->i}) - log 2cosh
u_{mu->i}`` combine exactly into

    F_i - sum_mu F_{i mu} = log 2cosh H_i - sum_mu [log cosh H_i - log cosh(H_i - u_{mu->i})],

and the factor term ``F_mu = log Prob(xi^mu . W / sqrt(N) > kappa)`` under independent
``W_j`` of means ``m_{j->mu}`` is taken in the same Gaussian approximation,
``F_mu = log H((kappa - omega_mu) / sqrt(V_mu))`` with the full sums over j.  Thus

    N phi = sum_mu log H((kappa - omega_mu)/sqrt(V_mu)) + sum_i log 2cosh H_i
            - sum_{mu, i} [log cosh H_i - log cosh(H_i - u_{mu->i})].

phi is the free entropy per weight of the tilted measure (``free_entropy``); the entropy
per weight of that measure is its Legendre transform ``s = phi - (1/N) sum_i h_i m_i``
(``entropy``; equal to phi at zero field).  For the local entropy, ``S(d) = phi(gamma) -
gamma * rho`` with the overlap ``rho = (1/N) sum_i ref_i m_i = 1 - 2d``.  The transform
rests on d phi / d h_i = m_i / N, exact for the Bethe functional at a fixed point of
exact BP; the Gaussian closure makes the fixed point stationary only up to
O(N^{-3/2}) per factor-edge pair, so ``d phi / d gamma = rho`` holds up to O(1/N)
(measured |d phi/d gamma - rho| N <= 0.07 at N = 300-1000).

Frozen states.  Cavity fields are capped at ``|u| <= 30`` (odds e^60, "hard") and
Gaussian variances floored at 1e-200, so that states where the measure collapses onto a
single configuration (e.g. a large field towards an isolated solution) stay finite; the
Bethe terms are then evaluated without inf - inf (phi -> gamma, s -> 0 for a single
solution at the reference).

Damping.  The default is no damping: in the tests and benchmarks (alpha up to 0.9,
reference fields) undamped parallel BP converged in the fewest sweeps (about half those
at damping 0.5), and where it did not converge (large fields towards a non-solution)
damping up to 0.95 did not rescue it.

References
----------
A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006) (BP for the binary
perceptron with Gaussian cavity sums).
M. Mézard and A. Montanari, *Information, Physics, and Computation* (OUP 2009), ch. 14
(BP and the Bethe free entropy as factor + variable - edge terms).
C. Baldassi, A. Ingrosso, C. Lucibello, L. Saglietti and R. Zecchina, Phys. Rev. Lett.
115, 128101 (2015); J. Stat. Mech. (2016) 023301, arXiv:1511.05634 (local entropy).
C. Baldassi et al., PNAS 113, E7655 (2016).
"""

from __future__ import annotations

import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._validate import integer, real
from ..errors import ConvergenceError, ConvergenceWarning, Reason
from . import _bp_kernels as _k
from .instances import Instance, as_instance

__all__ = ["BPResult", "LocalEntropyBP", "run_bp", "bethe_entropy", "local_entropy_bp", "kappa_effective"]

_BLOCK_ELEMENTS = 1 << 16  # edges per block: temporaries fit in cache


@dataclass(frozen=True, eq=False)
class BPResult:
    """Result of :func:`run_bp`.

    Attributes
    ----------
    marginals : ndarray, shape (N,)
        Magnetisations m_i = tanh H_i.
    free_entropy : float or None
        Bethe free entropy per weight phi of the tilted measure (None only if it is not a
        finite number; then ``success`` is False).
    entropy : float or None
        Bethe entropy per weight, ``phi - (1/N) sum_i h_i m_i`` (= ``free_entropy`` at zero
        field).
    overlap : float or None
        ``(1/N) sum_i ref_i m_i`` when a reference was given, else None.
    success : bool
        True when the undamped message change fell below ``tol`` with finite messages
        (and a finite Bethe free entropy).
    nit : int
        Number of sweeps done.
    max_change : float
        Last undamped change ``max sqrt(N) |u_new - u_old|``.
    message : str
        What happened, in words (for people; the wording may change).
    messages : ndarray, shape (P, N)
        Final cavity fields u_{mu->i}; pass the result as ``init=`` to warm-start.
    fields : ndarray, shape (N,)
        Total fields H_i = h_i + sum_mu u_{mu->i}.
    gamma : float
        Strength of the reference field.
    reason : Reason or None
        The outcome, machine-readable: ``Reason.CONVERGED``; ``Reason.BUDGET_EXHAUSTED``
        (``max_iter`` sweeps without reaching ``tol``); ``Reason.NOT_FINITE`` (non-finite
        messages or Bethe free entropy).  None only for a result built by hand.
    converged : bool
        Read-only alias of ``success``.
    iterations : int
        Read-only alias of ``nit``.
    """

    marginals: np.ndarray
    free_entropy: float | None
    entropy: float | None
    overlap: float | None
    success: bool
    nit: int
    max_change: float
    message: str
    messages: np.ndarray
    fields: np.ndarray
    gamma: float = 0.0
    reason: Reason | None = None

    @property
    def converged(self) -> bool:
        """Alias of ``success`` (the name used before the results shared one vocabulary)."""
        return self.success

    @property
    def iterations(self) -> int:
        """Alias of ``nit``."""
        return self.nit


@dataclass(frozen=True, eq=False)
class LocalEntropyBP:
    """Result of :func:`local_entropy_bp`: one entry per point, in the order requested.

    Attributes
    ----------
    gamma : ndarray
        Field strength of each point.
    overlap : ndarray
        rho = (1/N) sum_i ref_i m_i.
    d : ndarray
        Distance (1 - rho) / 2 reached (equals ``d_requested`` up to the root tolerance).
    free_entropy : ndarray
        phi(gamma), Bethe free entropy per weight of the tilted measure.
    local_entropy : ndarray
        S(d) = phi(gamma) - gamma rho.
    success : ndarray of bool
        Per point: BP converged (and, for requested distances, the root was found).  An
        array, as ``success`` of :class:`replica.sweep.Curve`.
    nit : ndarray of int
        Sweeps of the final BP run of each point.
    d_requested : ndarray or None
        The ``d_values`` asked for, if any.
    message : str
        Summary: how many points converged, and which failed.
    reason : ndarray of Reason or None
        Per point, machine-readable: ``CONVERGED``; for a failed point the reason of its
        BP run (``BUDGET_EXHAUSTED``, ``NOT_FINITE``) or ``NOT_CONVERGED`` (the root
        finder did not reach the distance, or no bracket within ``gamma_max``).
    converged : ndarray of bool
        Read-only alias of ``success``.
    iterations : ndarray of int
        Read-only alias of ``nit``.

    Points that failed outright (no bracket for the requested distance) hold NaN in the
    float arrays and ``success=False``.
    """

    gamma: np.ndarray
    overlap: np.ndarray
    d: np.ndarray
    free_entropy: np.ndarray
    local_entropy: np.ndarray
    success: np.ndarray
    nit: np.ndarray
    d_requested: np.ndarray | None = None
    message: str = ""
    reason: np.ndarray | None = None

    @property
    def converged(self) -> np.ndarray:
        """Alias of ``success`` (the name used before the results shared one vocabulary)."""
        return self.success

    @property
    def iterations(self) -> np.ndarray:
        """Alias of ``nit``."""
        return self.nit


# --- input checks ----------------------------------------------------------------------


def _check_reference(reference, n):
    ref = np.asarray(reference)
    if ref.shape != (n,) or not np.issubdtype(ref.dtype, np.number) or not np.all(np.abs(ref) == 1):
        raise ValueError(f"reference must be a ±1 vector of length N = {n}, got shape {ref.shape}")
    return ref.astype(np.float64)


def _check_field(field, n):
    h = np.asarray(field, dtype=np.float64)
    if h.shape != (n,) or not np.all(np.isfinite(h)):
        raise ValueError(f"field must be a finite real vector of length N = {n}, got shape {h.shape}")
    return h


def _total_field(n, field, reference, gamma):
    """h = field + gamma * reference (validated); returns (h, reference or None, gamma)."""
    gamma = real("gamma", gamma)
    h = np.zeros(n) if field is None else _check_field(field, n).copy()
    ref = None
    if reference is not None:
        ref = _check_reference(reference, n)
        h += gamma * ref
    elif gamma != 0.0:
        raise ValueError("gamma != 0 needs a reference (a ±1 vector of length N)")
    return h, ref, gamma


def kappa_effective(n: int, kappa: float, continuity: bool = True) -> float:
    """Threshold of the stability used by the Gaussian approximation.

    With ``continuity`` the threshold sits half-way between the largest violating and
    the smallest satisfying value of the lattice variable ``S = xi . W`` (parity of N,
    spacing 2), divided by sqrt(N); otherwise it is ``kappa``.
    """
    if not continuity:
        return float(kappa)
    t = math.floor(kappa * math.sqrt(n)) + 1  # smallest integer > kappa sqrt(N)
    if (t - n) % 2:
        t += 1  # S has the parity of N
    return (t - 1) / math.sqrt(n)


# --- the iteration ---------------------------------------------------------------------


class _Graph:
    """The edge matrix split into blocks of factor rows, with the threshold and field."""

    def __init__(self, instance, h, continuity, workers, block_size):
        self.xi = instance.signed_patterns()
        self.p, self.n = self.xi.shape
        self.h = h
        self.kappa_eff = kappa_effective(self.n, instance.kappa, continuity)
        rows = max(1, (block_size or _BLOCK_ELEMENTS) // self.n)
        self.blocks = [slice(a, min(a + rows, self.p)) for a in range(0, self.p, rows)]
        self.workers = workers

    def map(self, fn):
        """fn over the blocks, in order (threads when workers > 1; same result either way)."""
        if self.workers == 1 or len(self.blocks) < 2:
            return [fn(b) for b in self.blocks]
        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(fn, self.blocks))

    def fields(self, u):
        return self.h + u.sum(axis=0)

    def sweep(self, u, H, damping):
        """One parallel update of every u_{mu->i} (in place).

        Returns ``(new H, undamped change, finite)``; on non-finite new messages the
        offending block is left unchanged and ``finite`` is False.
        """

        def block(sl):
            new = _k.factor_to_variable(self.xi[sl], u[sl], H, self.kappa_eff, self.n)
            if not np.all(np.isfinite(new)):
                return None
            change = _k.damped_update(u, sl, new, damping)
            return change, u[sl].sum(axis=0)

        out = self.map(block)
        if any(o is None for o in out):
            return self.fields(u), math.inf, False
        change = max((o[0] for o in out), default=0.0) * math.sqrt(self.n)
        H = self.h.copy()
        for _, colsum in out:  # fixed order: deterministic with threads
            H += colsum
        return H, change, True

    def bethe(self, u, H):
        """Bethe free entropy per weight at messages u and fields H (formula in module doc)."""
        out = self.map(lambda sl: _k.bethe_terms(self.xi[sl], u[sl], H, self.kappa_eff, self.n))
        factor = sum(o[0] for o in out)
        edge = np.zeros(self.n)
        for o in out:
            edge += o[1]
        return _k.bethe_per_weight(factor, H, edge)


def _initial_messages(graph, init, rng):
    shape = (graph.p, graph.n)
    if isinstance(init, BPResult):
        init = init.messages
    if init is None:
        init = "zero" if rng is None else "random"
    if isinstance(init, str):
        if init == "zero":
            return np.zeros(shape)
        if init == "random":
            # cavity fields are O(1/sqrt N); random signs break the symmetric start
            return np.random.default_rng(rng).standard_normal(shape) / math.sqrt(graph.n)
        raise ValueError(f"init must be 'zero', 'random', a BPResult or an array of shape {shape}; "
                         f"got {init!r}")
    u = np.array(init, dtype=np.float64)
    if u.shape != shape or not np.all(np.isfinite(u)):
        raise ValueError(f"init messages must be a finite array of shape {shape}, got shape {u.shape}")
    return u


def run_bp(
    instance: Instance,
    *,
    field=None,
    reference=None,
    gamma: float = 0.0,
    damping: float = 0.0,
    tol: float = 1e-8,
    max_iter: int = 1000,
    rng=None,
    init=None,
    strict: bool = False,
    continuity: bool = True,
    workers: int = 1,
    block_size: int | None = None,
) -> BPResult:
    """Run BP on the solutions of ``instance``, optionally tilted by a field.

    Parameters
    ----------
    instance : Instance
    field : array_like, shape (N,), optional
        External field h_i (weight exp(sum_i h_i W_i)).
    reference : array_like of ±1, shape (N,), optional
        Reference configuration; adds ``gamma * reference`` to the field and makes the
        result report the overlap with it.
    gamma : float
        Strength of the reference field (finite; needs ``reference`` unless 0).
    damping : float in [0, 1)
        Weight of the old message in the update.
    tol : float > 0
        Stop when ``max sqrt(N) |u_new - u_old| < tol``.
    max_iter : int >= 1
        Maximum number of sweeps.
    rng : seed or Generator, optional
        Only for random initial messages (``init="random"``); same seed, same result.
    init : {"zero", "random"}, BPResult, ndarray (P, N) or None
        Initial cavity fields u_{mu->i}; a BPResult (or its ``messages``) warm-starts.
        None means "random" when ``rng`` is given, else "zero".
    strict : bool
        Raise :class:`~replica.errors.ConvergenceError` instead of warning when BP does not
        converge.
    continuity : bool
        Lattice (continuity-corrected) threshold, see the module docstring.
    workers : int >= 1
        Threads over blocks of factors (the result does not depend on it).
    block_size : int, optional
        Edges per block (memory/cache trade-off; changes the results only by rounding).

    Returns
    -------
    BPResult
        Non-convergence is reported by ``success=False`` (with ``reason``) and a
        :class:`~replica.errors.ConvergenceWarning` (or an error with ``strict``).

    Examples
    --------
    >>> from replica.sampler import random_instance
    >>> res = run_bp(random_instance(301, 0.3, rng=0))
    >>> res.success, res.reason.value, round(res.entropy, 3)   # RS theory: 0.475 at N -> infinity
    (True, 'converged', 0.471)

    References
    ----------
    Braunstein & Zecchina, PRL 96, 030201 (2006) (message equations);
    Mézard & Montanari (2009), ch. 14 (Bethe free entropy); the module docstring gives
    the formulas used.
    """
    as_instance(instance)
    n = instance.n
    h, ref, gamma = _total_field(n, field, reference, gamma)
    damping = real("damping", damping, lower=0.0, upper=1.0, upper_open=True)
    tol = real("tol", tol, lower=0.0, lower_open=True)
    max_iter = integer("max_iter", max_iter, lower=1)
    workers = integer("workers", workers, lower=1)
    if block_size is not None:
        block_size = integer("block_size", block_size, lower=1)
    graph = _Graph(instance, h, bool(continuity), workers, block_size)
    u = _initial_messages(graph, init, rng)

    H, change, finite, it, converged = _k.iterate(graph, u, graph.fields(u), damping, tol, max_iter)
    return _finish(graph, u, H, ref, gamma, converged, finite, it, change, tol, strict)


def _finish(graph, u, H, ref, gamma, converged, finite, it, change, tol, strict):
    """Observables at the final messages and the convergence report."""
    marginals = np.tanh(H)
    phi = graph.bethe(u, H)
    if not math.isfinite(phi):
        phi, converged = None, False
    entropy = None if phi is None else phi - float(np.dot(graph.h, marginals)) / graph.n
    overlap = None if ref is None else float(np.dot(ref, marginals)) / graph.n
    if not finite:
        reason = Reason.NOT_FINITE
        message = f"non-finite messages at sweep {it}; the last finite messages are returned"
    elif phi is None:
        reason = Reason.NOT_FINITE
        message = f"Bethe free entropy not finite after {it} sweeps"
    elif converged:
        reason = Reason.CONVERGED
        message = f"converged in {it} sweeps (max change {change:.2e} < tol {tol:g})"
    else:
        reason = Reason.BUDGET_EXHAUSTED
        message = (f"BP did not converge in {it} sweeps (max change {change:.2e} > tol {tol:g}); "
                   "more damping or max_iter may help")
    result = BPResult(marginals=marginals, free_entropy=phi, entropy=entropy, overlap=overlap,
                      success=converged, nit=it, max_change=float(change), message=message,
                      messages=u, fields=H, gamma=gamma, reason=reason)
    if not converged:
        if strict:
            raise ConvergenceError(message, result)
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return result


def bethe_entropy(instance: Instance, **kw) -> float | None:
    """Bethe entropy per weight of the solutions of ``instance`` (:func:`run_bp` at zero
    field; keywords are passed on).  Non-convergence warns (or raises with ``strict``).

    References
    ----------
    Mézard & Montanari (2009), ch. 14; formula in the module docstring.
    """
    return run_bp(instance, **kw).entropy


# --- local entropy -----------------------------------------------------------------------


def _check_d(d_values):
    d = np.atleast_1d(np.asarray(d_values, dtype=np.float64))
    if d.ndim != 1 or d.size == 0:
        raise ValueError("d_values must be a non-empty 1-d sequence")
    for v in d:
        real("d", v, lower=0.0, upper=0.5, lower_open=True)
    return d


def local_entropy_bp(
    instance: Instance,
    reference,
    *,
    gammas=None,
    d_values=None,
    field=None,
    init=None,
    rng=None,
    strict: bool = False,
    gamma_max: float = 40.0,
    xtol: float = 1e-10,
    **bp_kw,
) -> LocalEntropyBP:
    """Local entropy S(d) around ``reference`` by BP with a reference field.

    phi(gamma) is the Bethe free entropy per weight of ``exp(gamma ref . W)`` restricted to
    solutions; rho(gamma) = d phi/d gamma is the overlap with the reference and
    ``S(d) = phi(gamma) - gamma rho`` at ``d = (1 - rho)/2`` (Legendre transform: the
    log-number of solutions at distance d from the reference, per weight, at large N).

    Parameters
    ----------
    instance : Instance
    reference : array_like of ±1, shape (N,)
    gammas : sequence of float, optional
        Field strengths, followed in the given order with warm starts (continuation).
    d_values : sequence of float in (0, 1/2], optional
        Distances; gamma is found for each by a bracketing root finder (Illinois) on
        the monotone rho(gamma), moving outwards from gamma = 0 with warm starts.
        Exactly one of ``gammas`` and ``d_values``.
    field : array_like, optional
        Extra field added to ``gamma * reference``.
    init, rng :
        Initial messages of the first run, as in :func:`run_bp`.
    strict : bool
        Raise :class:`~replica.errors.ConvergenceError` (with the curve as ``.result``) if
        any point failed; otherwise failing points are flagged in ``success`` and one
        :class:`~replica.errors.ConvergenceWarning` lists them.
    gamma_max : float
        Largest |gamma| tried when bracketing a distance.
    xtol : float
        Tolerance on gamma of the root finder.
    **bp_kw
        ``damping``, ``tol``, ``max_iter``, ``continuity``, ``workers``, ``block_size``
        of :func:`run_bp`.

    Returns
    -------
    LocalEntropyBP

    References
    ----------
    Baldassi et al., PRL 115, 128101 (2015); J. Stat. Mech. (2016) 023301 (local entropy
    as a large deviation of the reference field, S(d) = phi - gamma rho);
    Mézard & Montanari (2009), ch. 14 (Bethe free entropy).
    """
    as_instance(instance)
    ref = _check_reference(reference, instance.n)
    if (gammas is None) == (d_values is None):
        raise ValueError("give exactly one of gammas and d_values")
    gamma_max = real("gamma_max", gamma_max, lower=0.0, lower_open=True)
    xtol = real("xtol", xtol, lower=0.0, lower_open=True)
    bad = set(bp_kw) - {"damping", "tol", "max_iter", "continuity", "workers", "block_size"}
    if bad:
        raise TypeError(f"unexpected keyword arguments {sorted(bad)}")
    first = {"init": init, "rng": rng}

    def run(g, start):
        """BP at gamma = g warm-started from the BPResult ``start`` (None: first run)."""
        kw = first if start is None else {"init": start}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return run_bp(instance, field=field, reference=ref, gamma=g, **kw, **bp_kw)

    if gammas is not None:
        g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
        if g.ndim != 1 or g.size == 0:
            raise ValueError("gammas must be a non-empty 1-d sequence")
        for v in g:
            real("gamma", v)
        points, prev = [], None
        for v in g:  # continuation: each point starts from the previous one
            prev = run(float(v), prev)
            points.append(_Point.of(prev))
        d_req = None
        ok = [p.success for p in points]
    else:
        d_req = _check_d(d_values)
        points, ok = _solve_distances(run, d_req, gamma_max, xtol)
    return _collect(points, ok, d_req, strict)


_OVERLAP_TOL = 1e-9  # root accuracy on rho (BP's own precision at tol ~ 1e-8 is similar)


@dataclass(frozen=True)
class _Point:
    """The numbers kept of one BP run on a curve (not its P x N messages)."""

    gamma: float
    overlap: float
    free_entropy: float | None
    nit: int
    success: bool
    reason: Reason | None

    @classmethod
    def of(cls, res):
        return cls(res.gamma, res.overlap, res.free_entropy, res.nit, res.success, res.reason)


def _solve_distances(run, d_req, gamma_max, xtol):
    """gamma for each target overlap rho = 1 - 2d, moving outwards from gamma = 0.

    Targets are visited in order of distance from rho(0) on each side; each is
    bracketed by doubling gamma-steps from the previous root and then refined by the
    Illinois (regula falsi) method.  Every trial run is warm-started from the bracket
    end on the followed branch, so that a BP with two fixed points (a jump of rho,
    e.g. onto an isolated reference) is not switched between branches at random; a
    target inside such a jump is flagged as failed.
    """
    start = run(0.0, None)
    targets = 1.0 - 2.0 * d_req
    points, ok = [None] * len(d_req), [False] * len(d_req)
    for side in (1, -1):
        idx = [i for i in range(len(d_req)) if (targets[i] >= start.overlap) == (side > 0)]
        idx.sort(key=lambda i: side * targets[i])
        inner = start
        for i in idx:
            if abs(inner.overlap - targets[i]) < _OVERLAP_TOL:  # already there
                points[i], ok[i] = _Point.of(inner), inner.success
                continue
            bracket = _bracket(run, inner, targets[i], side, gamma_max)
            if bracket is None:
                continue
            res = _illinois(run, *bracket, targets[i], xtol)
            points[i] = _Point.of(res)
            ok[i] = res.success and abs(res.overlap - targets[i]) < 1e-6
            inner = res
    return points, ok


def _bracket(run, inner, target, side, gamma_max):
    """Step gamma outwards from ``inner`` (doubling the step, each run warm-started from
    the previous one) until rho passes ``target``: the last two BPResults, or None."""
    step = 0.25
    prev = inner
    while True:
        g = prev.gamma + side * step
        if abs(g) > gamma_max:
            return None
        res = run(g, prev)
        if side * (res.overlap - target) >= 0:
            return prev, res
        prev, step = res, 2 * step


def _illinois(run, a, b, target, xtol, maxiter=100):
    """Regula falsi with the Illinois modification on rho(gamma) - target, from the
    bracket (a, b) with ``a`` on the followed branch."""
    fa, fb = a.overlap - target, b.overlap - target
    if fb == 0.0:
        return b
    last = None
    for _ in range(maxiter):
        g = b.gamma - fb * (b.gamma - a.gamma) / (fb - fa)
        if not (min(a.gamma, b.gamma) < g < max(a.gamma, b.gamma)):
            g = 0.5 * (a.gamma + b.gamma)
        r = run(g, a)  # from the branch side
        fr = r.overlap - target
        if abs(fr) < _OVERLAP_TOL or abs(b.gamma - a.gamma) < xtol:
            return r
        if (fr < 0) == (fa < 0):
            a, fa = r, fr
            if last == "a":
                fb *= 0.5  # Illinois: stop the retained end from stalling the secant
            last = "a"
        else:
            b, fb = r, fr
            if last == "b":
                fa *= 0.5
            last = "b"
    return r


def _collect(points, ok, d_req, strict):
    nan = math.nan
    gamma = np.array([p.gamma if p else nan for p in points])
    overlap = np.array([p.overlap if p else nan for p in points])
    phi = np.array([p.free_entropy if p and p.free_entropy is not None else nan for p in points])
    bad = [i for i, good in enumerate(ok) if not good]
    reason = np.array([Reason.CONVERGED if good
                       else p.reason if p is not None and p.reason not in (None, Reason.CONVERGED)
                       else Reason.NOT_CONVERGED for p, good in zip(points, ok)], dtype=object)
    summary = f"{len(ok) - len(bad)} of {len(ok)} points converged"
    if bad:
        summary += f"; BP or the root finder failed at points {bad}"
    out = LocalEntropyBP(
        gamma=gamma, overlap=overlap, d=(1.0 - overlap) / 2.0, free_entropy=phi,
        local_entropy=phi - gamma * overlap, success=np.array(ok, dtype=bool),
        nit=np.array([p.nit if p else 0 for p in points]), d_requested=d_req,
        message=summary, reason=reason,
    )
    if bad:
        message = f"local entropy: BP or the root finder failed at points {bad}"
        if strict:
            raise ConvergenceError(message, out)
        warnings.warn(message, ConvergenceWarning, stacklevel=3)
    return out
