"""Ensembles: the saved averaging model is exactly the mean of its members; voting and bootstrap samples."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import ensembles, models


def members(count: int = 3, filters: int = 4, prefix: str = "member") -> list[keras.Model]:
    """Small CNNs with different random weights (untrained: enough to tell them apart)."""
    built = []
    for i in range(count):
        keras.utils.set_random_seed(i)
        built.append(models.build_cnn_3x3(filters=filters, name=f"{prefix}_{i}"))
    return built


def digits(count: int = 64) -> np.ndarray:
    return np.random.default_rng(0).random((count, 28, 28, 1), dtype=np.float32)


def test_saved_ensemble_reproduces_the_mean_of_member_predictions(tmp_path: Path) -> None:
    group = members()
    x = digits()
    each = ensembles.predict_members(group, x)
    assert each.shape == (3, 64, 10)
    # The members really differ, so an ensemble that used only one of them would fail below.
    assert np.abs(each[0] - each[1]).max() > 1e-3
    ensemble = ensembles.average_ensemble(group)
    path = tmp_path / "ensemble.keras"
    ensemble.save(path)
    reloaded = keras.models.load_model(path)
    from_file = reloaded.predict(x, verbose=0)
    assert from_file.dtype == np.float32
    np.testing.assert_allclose(from_file, each.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(ensembles.average_probabilities(each), each.mean(axis=0), rtol=1e-6)
    assert [layer.name for layer in reloaded.layers] == ["image", "member_0", "member_1", "member_2", "average"]


def test_average_stays_float32_under_mixed_precision() -> None:
    try:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        group = members(2)
        ensemble = ensembles.average_ensemble(group)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert ensemble.get_layer("average").compute_dtype == "float32"
    x = digits(16)
    np.testing.assert_allclose(ensemble.predict(x, verbose=0), ensembles.predict_members(group, x).mean(axis=0),
                               atol=1e-6)


def test_average_ensemble_refuses_what_keras_cannot_hold() -> None:
    twins = [models.build_cnn_3x3(filters=4, name="twin"), models.build_cnn_3x3(filters=4, name="twin")]
    with pytest.raises(ValueError, match="different names.*twin"):
        ensembles.average_ensemble(twins)
    with pytest.raises(ValueError, match="at least two"):
        ensembles.average_ensemble(members(1))
    mixed = [models.build_cnn_3x3(filters=4, name="a"), models.build_cifar_cnn(name="b")]
    with pytest.raises(ValueError, match="input shapes"):
        ensembles.average_ensemble(mixed)


def test_majority_vote_counts_votes_and_breaks_ties_by_probability() -> None:
    # Three members, two digits, three classes.
    probabilities = np.array([
        [[0.6, 0.3, 0.1], [0.5, 0.4, 0.1]],
        [[0.2, 0.7, 0.1], [0.1, 0.8, 0.1]],
        [[0.1, 0.8, 0.1], [0.2, 0.2, 0.6]],
    ])
    # Digit 0: two votes for class 1, one for class 0.
    # Digit 1: one vote each; the mean probabilities are (0.267, 0.467, 0.267), so class 1 wins the tie.
    assert ensembles.majority_vote(probabilities).tolist() == [1, 1]
    # Two votes beat one vote even when the single vote is far more confident on average.
    confident_minority = np.array([[[0.0, 1.0]], [[0.51, 0.49]], [[0.51, 0.49]]])
    assert ensembles.average_probabilities(confident_minority).argmax(axis=1).tolist() == [1]
    assert ensembles.majority_vote(confident_minority).tolist() == [0]
    # A tie broken towards the *later* class, so the result is not just "lowest index wins".
    tie = np.array([[[0.9, 0.1]], [[0.0, 1.0]]])
    assert ensembles.majority_vote(tie).tolist() == [1]


def test_average_probabilities() -> None:
    probabilities = np.array([[[1.0, 0.0], [0.2, 0.8]], [[0.0, 1.0], [0.4, 0.6]]])
    np.testing.assert_allclose(ensembles.average_probabilities(probabilities), [[0.5, 0.5], [0.3, 0.7]])
    with pytest.raises(ValueError, match="members, N, classes"):
        ensembles.average_probabilities(np.zeros((4, 10)))


def test_bootstrap_indices_draw_with_replacement() -> None:
    indices = ensembles.bootstrap_indices(10_000, seed=3)
    assert indices.shape == (10_000,) and indices.min() >= 0 and indices.max() < 10_000
    distinct = len(np.unique(indices)) / len(indices)
    assert 0.61 < distinct < 0.65  # 1 - 1/e = 0.632
    assert np.array_equal(indices, ensembles.bootstrap_indices(10_000, seed=3))
    assert not np.array_equal(indices, ensembles.bootstrap_indices(10_000, seed=4))
    with pytest.raises(ValueError):
        ensembles.bootstrap_indices(0, seed=0)
