"""Gibbs learning of a binary teacher (replica.models.teacher_student): independent
quadrature, the Nishimori stationarity condition, the published transition load."""

import math

import numpy as np
import pytest
from scipy import integrate, special

import replica
from replica.models.teacher_student import GibbsTeacherStudent
from replica.sweep import find_parameter


def _phi_scipy(q, r, alpha):
    """The RS free entropy by scipy's adaptive quadrature (independent of the engine)."""
    dz = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    prior = integrate.quad(lambda z: dz(z) * (abs(math.sqrt(r) * z + r) + math.log1p(math.exp(-2 * abs(math.sqrt(r) * z + r)))),
                           -40, 40, limit=200, epsabs=1e-13)[0] - r / 2

    def channel(z):
        u = -math.sqrt(q) * z / math.sqrt(1 - q)
        return dz(z) * special.ndtr(-u) * special.log_ndtr(-u)

    return prior - r * q / 2 + 2 * alpha * integrate.quad(channel, -40, 40, limit=200, epsabs=1e-13)[0]


@pytest.mark.parametrize("alpha", [0.1, 0.4, 1.0])
def test_saddle_point_against_adaptive_quadrature(alpha):
    sp = replica.solve(GibbsTeacherStudent(alpha))
    assert sp.success
    q, r = sp.order["q"], sp.order["r"]
    assert sp.free_entropy == pytest.approx(_phi_scipy(q, r, alpha), abs=1e-10)
    # stationarity, by central differences of the independent evaluation
    h = 1e-5
    dq = (_phi_scipy(q + h, r, alpha) - _phi_scipy(q - h, r, alpha)) / (2 * h)
    dr = (_phi_scipy(q, r + h, alpha) - _phi_scipy(q, r - h, alpha)) / (2 * h)
    assert abs(dq) < 1e-6 and abs(dr) < 1e-6
    # Nishimori: the student-teacher overlap q solves q = E tanh(sqrt(r) z + r)
    m = integrate.quad(lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * math.tanh(math.sqrt(r) * z + r),
                       -40, 40, epsabs=1e-13)[0]
    assert m == pytest.approx(q, abs=1e-9)
    assert sp["generalisation_error"] == pytest.approx(math.acos(q) / math.pi, abs=1e-15)


def test_zero_load_and_small_load():
    sp = replica.solve(GibbsTeacherStudent(1e-6))
    assert sp["entropy"] == pytest.approx(math.log(2), abs=1e-6) and sp["teacher_overlap"] < 1e-5
    # linear response: q ~ (2/pi) alpha (one pattern's information about the teacher)
    small = replica.solve(GibbsTeacherStudent(1e-3))
    assert small["teacher_overlap"] / 1e-3 == pytest.approx(2 / math.pi, rel=1e-2)


def test_first_order_transition_load():
    """The entropy of the q < 1 branch vanishes at alpha = 1.245 (Györgyi, PRA 41, 7097
    (1990); Sompolinsky, Tishby & Seung, PRL 65, 1683 (1990): 1.24), where the student
    freezes onto the teacher."""
    start = replica.solve(GibbsTeacherStudent(1.2))
    t = find_parameter(GibbsTeacherStudent(1.2), "alpha", observable="entropy", target=0.0, bracket=(1.1, 1.4),
                       init=start, xtol=1e-10)
    assert t.value == pytest.approx(1.245, abs=5e-4)


def test_curve_is_monotone():
    curve = replica.continuation(GibbsTeacherStudent(0.1), "alpha", np.linspace(0.1, 1.2, 12))
    assert curve.success.all()
    eps = np.asarray(curve.column("generalisation_error"))
    assert np.all(np.diff(eps) < 0)


def test_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        GibbsTeacherStudent(-0.1)
    with pytest.raises(ValueError, match="alpha"):
        GibbsTeacherStudent(0.0)
