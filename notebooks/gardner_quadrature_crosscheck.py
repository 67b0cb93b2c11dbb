# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Quadrature cross-check on the Gardner integrals
#
# Every number `replica` gives is a saddle point of Gaussian integrals.  Here the
# quadrature used by the engine is checked against 30-digit `mpmath.quad` on the
# integrals of the binary Gardner volume, including the steep regime $q \to 1$ where
# the width of the integrand, $\sqrt{(1-q)/q}$, shrinks to zero:
#
# * $E_z \ln H\big((\kappa - \sqrt q\, z)/\sqrt{1-q}\big)$ and $E_z [G/H]^2(\cdot)$ (energetic term and its $q$-derivative);
# * $E_z \ln 2\cosh(\sqrt{\hat q}\, z)$ at large $\hat q$, which tends to $\sqrt{\hat q}\,E|z|$ (kink at $z=0$);
# * the compiled free entropy and gradient along the RS branch, NumPy backend vs mpmath backend.
#
# Plain Gauss–Hermite is shown beside the composite rule: it is excellent on smooth
# integrands and wrong by orders of magnitude once the width drops below its node spacing.
# The file is a jupytext `py:percent` notebook; the test suite runs it.

# %%
import math

import matplotlib.pyplot as plt
import mpmath
import numpy as np

import replica
from replica import special
from replica.compile import compiled_theory
from replica.quadrature import QuadratureOptions, gaussian_expectation

mpmath.mp.dps = 30
KAPPA = 0.0
COMPOSITE = QuadratureOptions()
HERMITE_80 = QuadratureOptions(rule="hermite", n_hermite=80)
HERMITE_400 = QuadratureOptions(rule="hermite", n_hermite=400)


def mp_expect(f, center, width):
    pts = [-mpmath.inf] + [center + o * width for o in (-100, -10, -1, 0, 1, 10, 100)] + [mpmath.inf]
    return mpmath.quad(lambda z: mpmath.npdf(z) * f(z), pts)


# %% [markdown]
# ## The energetic integrals as $q \to 1$

# %%
qs = [0.1, 0.5, 0.9, 0.99, 0.999, 1 - 1e-4, 1 - 1e-6, 1 - 1e-8]
rows = []
for q in qs:
    c, w = KAPPA / math.sqrt(q), math.sqrt((1 - q) / q)
    u = lambda z, q=q: (KAPPA - math.sqrt(q) * z) / math.sqrt(1 - q)
    mu = lambda z, q=q: (KAPPA - mpmath.sqrt(q) * z) / mpmath.sqrt(1 - q)
    for label, f, mf in [
        ("E ln H", lambda z, u=u: special.log_H(u(z)), lambda z, mu=mu: special.mp_log_H(mu(z))),
        ("E (G/H)^2", lambda z, u=u: special.G_over_H(u(z)) ** 2, lambda z, mu=mu: special.mp_G_over_H(mu(z)) ** 2),
    ]:
        ref = float(mp_expect(mf, c, w))
        comp = gaussian_expectation(f, features=[(c, w)], options=COMPOSITE)
        h80 = gaussian_expectation(f, options=HERMITE_80)
        h400 = gaussian_expectation(f, options=HERMITE_400)
        rows.append((q, label, ref, abs(comp.value / ref - 1), comp.error / abs(ref),
                     abs(h80.value / ref - 1), abs(h400.value / ref - 1)))

print(f"{'1-q':>8} {'integral':>10} {'mpmath':>22} {'composite':>10} {'(estimate)':>10} {'GH 80':>9} {'GH 400':>9}")
for q, label, ref, e_c, est, e80, e400 in rows:
    print(f"{1 - q:>8.0e} {label:>10} {ref:>22.15g} {e_c:>10.1e} {est:>10.1e} {e80:>9.1e} {e400:>9.1e}")

composite_errors = np.array([r[3] for r in rows])
assert composite_errors.max() < 1e-11, composite_errors.max()
assert max(r[5] for r in rows if 0.99 <= r[0] <= 0.9999) > 1e-5  # plain Gauss-Hermite, steep regime

# %% [markdown]
# ## The entropic integral at large $\hat q$

# %%
for qhat in [1.0, 1e2, 1e4, 1e6, 1e8]:
    s = math.sqrt(qhat)
    ref = float(mp_expect(lambda z: special.mp_log_2cosh(s * z), 0, 1 / s))
    comp = gaussian_expectation(lambda z: special.log_2cosh(s * z), features=[(0.0, 1 / s)])
    plain = gaussian_expectation(lambda z: special.log_2cosh(s * z), options=HERMITE_80)
    print(f"qhat={qhat:8.0e}  mpmath={ref:.15g}  composite rel.err={abs(comp.value / ref - 1):.1e}"
          f"  Gauss-Hermite rel.err={abs(plain.value / ref - 1):.1e}")
    assert abs(comp.value / ref - 1) < 1e-12

# %% [markdown]
# ## Free entropy and gradient along the RS branch, NumPy vs mpmath backend
#
# The saddle points are followed by continuation up to $1 - q \approx 10^{-4}$; at each,
# the compiled NumPy functions are compared with the same sympy expressions evaluated
# by the mpmath backend (mpmath.quad at 30 digits).

# %%
alphas = [0.2, 0.6, 0.833, 1.0, 1.2, 1.26, 4 / math.pi - 1e-3, 4 / math.pi - 1e-4]
curve = replica.continuation(replica.Gardner(alpha=0.2), "alpha", alphas)
ct = compiled_theory(replica.Gardner(alpha=1.0).free_entropy())
print(f"{'alpha':>8} {'1-q':>9} {'entropy':>14} {'|d phi|':>9} {'max|d grad|/(1+qhat)':>22}")
for a, p in zip(curve.values, curve.points):
    x = [p.order["q"], p.order["qhat"]]
    phi, g = ct.value_and_gradient(x, [a, KAPPA], COMPOSITE)
    ref = ct.mpmath_evaluate(x, [a, KAPPA])
    d_phi = abs(phi - float(ref["free_entropy"]))
    # the gradient is a difference of terms ~ qhat: compare on that scale
    d_grad = max(abs(gi - float(ri)) / (1 + x[1]) for gi, ri in zip(g, ref["gradient"]))
    print(f"{a:>8.5f} {1 - x[0]:>9.1e} {phi:>14.10f} {d_phi:>9.1e} {d_grad:>22.1e}")
    assert d_phi < 1e-10 and d_grad < 1e-10

# %% [markdown]
# ## Picture: relative error against $1-q$

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
one_minus_q = np.array([1 - r[0] for r in rows if r[1] == "E ln H"])
for col, label in [(3, "composite (290 nodes)"), (5, "Gauss–Hermite 80"), (6, "Gauss–Hermite 400")]:
    err = np.array([max(r[col], 1e-17) for r in rows if r[1] == "E ln H"])
    ax.loglog(one_minus_q, err, "o-", label=label)
ax.invert_xaxis()
ax.set_xlabel("$1-q$")
ax.set_ylabel(r"relative error of $E\,\ln H$")
ax.legend()
plt.show()
