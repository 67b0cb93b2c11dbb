"""The worked example of docs/adding_a_theory.md: solutions at distance d from a random
reference (replica.models.magnetised), checked against closed forms and another theory."""

import math

import pytest

import replica
from replica.models.magnetised import MagnetisedGardner


def h2(d):
    return -d * math.log(d) - (1 - d) * math.log(1 - d)


@pytest.mark.parametrize("d", [0.05, 0.2, 0.45])
def test_zero_load_counts_all_configurations_at_distance_d(d):
    # No patterns: the log-number of configurations at distance d, H2(d) (closed form).
    sp = replica.solve(MagnetisedGardner(alpha=0.0, d=d))
    assert sp.success
    assert sp.free_entropy == pytest.approx(h2(d), abs=1e-10)
    assert sp["overlap"] == pytest.approx(1 - 2 * d, abs=1e-10)


def test_half_distance_is_the_gardner_volume():
    # d = 1/2 (h = 0): no constraint from the random reference; the typical solutions'
    # entropy of the independent Gardner theory (replica.models.perceptron).
    sp = replica.solve(MagnetisedGardner(alpha=0.5, d=0.5))
    assert sp.success and abs(sp.order["h"]) < 1e-9
    assert sp.free_entropy == pytest.approx(replica.solve(replica.Gardner(alpha=0.5)).free_entropy, abs=1e-10)


def test_slope_is_twice_the_field():
    # Envelope theorem: dS/dd = 2h at the saddle (central difference of solved points).
    eps = 1e-4
    lo, mid, hi = (replica.solve(MagnetisedGardner(0.5, d)) for d in (0.3 - eps, 0.3, 0.3 + eps))
    assert (hi.free_entropy - lo.free_entropy) / (2 * eps) == pytest.approx(mid["slope"], rel=1e-6)


def test_entropy_is_below_the_bound_and_increases_towards_the_typical_distance():
    points = [replica.solve(MagnetisedGardner(0.5, d)) for d in (0.22, 0.28, 0.34, 0.4)]
    assert all(p.success for p in points)
    values = [p.free_entropy for p in points]
    assert all(s < h2(d) for s, d in zip(values, (0.22, 0.28, 0.34, 0.4)))
    assert values == sorted(values)


@pytest.mark.parametrize("kwargs, name", [({"alpha": -0.1, "d": 0.2}, "alpha"), ({"alpha": 0.5, "d": 0.0}, "d"),
                                          ({"alpha": 0.5, "d": 0.6}, "d"), ({"alpha": 0.5, "d": 0.2, "kappa": -1}, "kappa")])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MagnetisedGardner(**kwargs)
