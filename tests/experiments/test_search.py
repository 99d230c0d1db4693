"""Random search of hyperparameters on a validation split (book §6.5): the numbers."""

import math

import numpy as np
import pytest

from bprop import experiments as E


@pytest.fixture(scope="module")
def poisoned_test_set(mnist):
    """MNIST whose test images are NaN: a search that touched them would fail (layers reject NaN)."""
    (x, t), (x_test, t_test) = mnist
    return (x, t), (np.full_like(x_test[:10], np.nan), t_test[:10])


def test_validation_split_holds_out_a_shuffled_fifth_without_losing_or_repeating_rows():
    x = np.arange(500, dtype=np.float32).reshape(500, 1)
    t = np.arange(500)
    (x_train, t_train), (x_val, t_val) = E.validation_split(x, t, 0.2, seed=0)
    assert len(x_val) == 100 and len(x_train) == 400
    assert sorted(np.concatenate([t_train, t_val]).tolist()) == list(range(500))
    np.testing.assert_array_equal(x_val[:, 0], t_val)  # rows stay paired with their labels
    assert t_val.tolist() != list(range(100))  # shuffled, not the first fifth


@pytest.mark.parametrize("rate", [0.0, 1.0, 0.001])
def test_validation_split_refuses_an_empty_split(rate):
    with pytest.raises(ValueError, match="validation_rate"):
        E.validation_split(np.zeros((50, 1)), np.zeros(50), rate)


@pytest.mark.slow  # trains on MNIST
def test_random_search_ranks_by_validation_accuracy_and_never_touches_the_test_set(poisoned_test_set):
    trials = E.random_search(6, epochs=10, lr_range=(1e-5, 1e-1), data=poisoned_test_set)
    accuracies = [trial.final_val_acc for trial in trials]
    assert accuracies == sorted(accuracies, reverse=True)
    assert all(len(trial.val_acc) == len(trial.train_acc) == 11 for trial in trials)
    # The learning rate decides: the best trial has the largest, and every lr below 1e-3 learns nothing in 10 epochs.
    assert trials[0].lr == max(trial.lr for trial in trials)
    assert trials[0].final_val_acc > 0.5
    assert all(trial.final_val_acc < 0.2 for trial in trials if trial.lr < 1e-3)


@pytest.mark.slow  # trains on MNIST
def test_random_search_draws_log_uniformly_within_the_ranges_and_repeats_with_its_seed(mnist):
    first = E.random_search(8, epochs=1, train_size=100, data=mnist, seed=3)
    again = E.random_search(8, epochs=1, train_size=100, data=mnist, seed=3)
    other = E.random_search(8, epochs=1, train_size=100, data=mnist, seed=4)
    assert [(t.lr, t.weight_decay, t.val_acc) for t in first] == [(t.lr, t.weight_decay, t.val_acc) for t in again]
    assert {t.lr for t in first} != {t.lr for t in other}
    assert all(1e-6 <= t.lr <= 1e-2 and 1e-8 <= t.weight_decay <= 1e-4 for t in first)
    exponents = [math.log10(t.lr) for t in first]
    assert max(exponents) - min(exponents) > 1.5  # spread over decades, not bunched near 1e-2


@pytest.mark.slow  # trains on MNIST
def test_a_trial_that_overflows_ranks_last_with_accuracy_zero(mnist):
    trials = E.random_search(3, epochs=2, train_size=100, lr_range=(1e-3, 100.0), data=mnist, seed=1)
    diverged = [trial for trial in trials if trial.diverged_at is not None]
    assert diverged, [trial.lr for trial in trials]
    assert trials[-len(diverged):] == diverged
    assert all(trial.final_val_acc == 0.0 and trial.lr > 1 for trial in diverged)


@pytest.mark.parametrize("kwargs, match", [
    ({"lr_range": (0, 1e-2)}, "lr_range must be"),
    ({"weight_decay_range": (1e-4, 1e-8)}, "weight_decay_range must be"),
    ({"trials": 0}, "trials must be a positive int"),
])
def test_random_search_rejects_bad_ranges(mnist, kwargs, match):
    with pytest.raises(ValueError, match=match):
        E.random_search(**{"trials": 1, "epochs": 1, "data": mnist, **kwargs})
