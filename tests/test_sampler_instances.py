"""Random instances: reproducibility, the teacher rule, save/load, bad input."""

import math

import numpy as np
import pytest

from replica.sampler import Instance, load_instance, random_instance


def test_same_seed_same_instance_and_sizes():
    a, b = random_instance(31, 0.5, rng=7), random_instance(31, 0.5, rng=7)
    assert np.array_equal(a.patterns, b.patterns) and np.array_equal(a.labels, b.labels)
    assert a.p == round(0.5 * 31) and a.n == 31 and a.alpha == a.p / 31
    assert not np.array_equal(a.patterns, random_instance(31, 0.5, rng=8).patterns)


def test_teacher_solves_its_own_instance_and_stabilities_are_fields_over_sqrt_n():
    inst = random_instance(41, 1.2, rng=3, kind="teacher")
    assert inst.is_solution(inst.teacher)
    fields = inst.labels * (inst.patterns.astype(int) @ inst.teacher.astype(int))
    np.testing.assert_allclose(inst.stabilities(inst.teacher), fields / math.sqrt(41))
    assert inst.errors(-inst.teacher) == inst.p  # the opposite teacher violates every pattern


def test_zero_field_is_an_error_at_zero_margin():
    inst = Instance(patterns=np.array([[1, -1]]), labels=np.array([1]))
    assert inst.errors(np.array([1, 1])) == 1 and inst.is_solution(np.array([1, -1]))


def test_margin_threshold_is_strict():
    inst = Instance(patterns=np.ones((1, 4)), labels=np.array([1]), kappa=1.0)  # field > 1 * sqrt(4) = 2
    assert inst.threshold() == 3
    assert not inst.is_solution(np.array([1, 1, 1, -1]))  # field 2, not > 2
    assert inst.is_solution(np.ones(4))


def test_save_and_load_round_trip(tmp_path):
    inst = random_instance(21, 0.6, rng=1, kind="teacher", kappa=0.25)
    path = inst.save(tmp_path / "inst")
    assert path.suffix == ".npz"
    back = load_instance(path)
    assert np.array_equal(back.patterns, inst.patterns) and np.array_equal(back.labels, inst.labels)
    assert np.array_equal(back.teacher, inst.teacher) and back.kind == "teacher" and back.kappa == 0.25


@pytest.mark.parametrize("kwargs, word", [
    (dict(n=0, alpha=0.5), "n"),
    (dict(n=10, alpha=-0.1), "alpha"),
    (dict(n=10, alpha=0.5, kind="teacher"), "odd"),
    (dict(n=11, alpha=0.5, kind="other"), "kind"),
    (dict(n=11, alpha=0.5, kappa=-1.0), "kappa"),
])
def test_bad_input_names_the_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        random_instance(**kwargs)


def test_instance_rejects_non_binary_patterns():
    with pytest.raises(ValueError, match="patterns"):
        Instance(patterns=np.array([[1, 0]]), labels=np.array([1]))
