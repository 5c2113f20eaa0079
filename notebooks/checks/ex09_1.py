"""Checks for exercise 09.1, Augmentation strength."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex09_1"


def _unset(value):
    return value is None or value is ...


def _all_layers(layer):
    yield layer
    for inner in getattr(layer, "layers", []):
        yield from _all_layers(inner)


def _largest(factor):
    return max(abs(float(value)) for value in factor) if isinstance(factor, (tuple, list)) else abs(float(factor))


def _strengths(model):
    """(rotation in degrees, shift, zoom) of the augmentation layers inside ``model``, None when absent."""
    found = {}
    for layer in _all_layers(model):
        config = layer.get_config()
        kind = type(layer).__name__
        if kind == "RandomRotation":
            found["rotation"] = _largest(config["factor"]) * 360
        elif kind == "RandomTranslation":
            found["shift"] = _largest(config["height_factor"])
        elif kind == "RandomZoom":
            found["zoom"] = _largest(config["height_factor"])
    return found


@test_case(points=1, hidden=False,
           failure_message="stronger = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2).")
def test_the_stronger_settings(stronger, recipes):
    assert not _unset(stronger), "`stronger` is still `...`: set it to a recipes.Augmentation."
    expected = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2)
    assert stronger == expected, f"`stronger` is {stronger!r}; expected {expected!r}."


@test_case(points=1, hidden=False,
           failure_message="Build as augmented_cnn does, with recipes.augmentation_layers(stronger) in front of "
                           "models.build_cnn_3x3(), and keep the History that run(...) returns.")
def test_the_stronger_run(stronger_history, histories, trained):
    assert not _unset(stronger_history), "`stronger_history` is still `...`: set it to the History run(...) returns."
    logs = getattr(stronger_history, "history", None)
    assert isinstance(logs, dict) and "val_accuracy" in logs, (
        f"`stronger_history` is a {type(stronger_history).__name__} without val_accuracy: keep what run(...) "
        "returns (a keras History; run passes the validation digits).")
    reference = histories["augmentation"].history["val_accuracy"]
    assert len(logs["val_accuracy"]) == len(reference), (
        f"the stronger run trained {len(logs['val_accuracy'])} epoch(s), section 2's {len(reference)}: "
        "keep run's default epochs so the two compare fairly.")
    model = stronger_history.model
    strengths = _strengths(model)
    wanted = {"rotation": 25.0, "shift": 0.2, "zoom": 0.2}
    wrong = {key: strengths.get(key) for key, value in wanted.items()
             if strengths.get(key) is None or abs(strengths[key] - value) > 1e-6}
    assert not wrong, (
        f"the trained model's augmentation is {strengths} (degrees, shares); expected {wanted}: put "
        "recipes.augmentation_layers(stronger) in front.")
    assert model.count_params() == trained["augmentation"].count_params(), (
        f"the trained model has {model.count_params():,} parameters, section 2's augmented CNN "
        f"{trained['augmentation'].count_params():,}: change only the augmentation, keep models.build_cnn_3x3().")


@test_case(points=1, hidden=False,
           failure_message="accuracy_change = stronger_history.history['val_accuracy'][-1] - "
                           "histories['augmentation'].history['val_accuracy'][-1]; beyond_luck = "
                           "abs(accuracy_change) > luck.")
def test_the_comparison(accuracy_change, beyond_luck, stronger_history, histories, luck):
    assert not _unset(accuracy_change), "`accuracy_change` is still `...`: stronger minus section 2's, a float."
    assert beyond_luck is not ..., "`beyond_luck` is still `...`: set it to True or False."
    assert not _unset(stronger_history), "`stronger_history` is still `...`: set it first."
    expected = (stronger_history.history["val_accuracy"][-1]
                - histories["augmentation"].history["val_accuracy"][-1])
    assert np.ndim(accuracy_change) == 0 and abs(float(accuracy_change) - expected) <= 1e-6, (
        f"`accuracy_change` is {accuracy_change!r}; the last validation accuracies give {expected:+.4f} "
        "(stronger minus section 2's, so a drop is negative).")
    assert isinstance(beyond_luck, (bool, np.bool_)), f"`beyond_luck` is {beyond_luck!r}; make it True or False."
    assert bool(beyond_luck) == (abs(expected) > luck), (
        f"`beyond_luck` is {beyond_luck}, but |{expected:+.4f}| is {'above' if abs(expected) > luck else 'within'} "
        f"the luck margin {luck:.4f}.")


@test_case(points=1, hidden=False,
           failure_message="stronger_digits = recipes.augmentation_layers(stronger)(samples, training=True).numpy().")
def test_the_augmented_digits(stronger_digits, samples):
    assert not _unset(stronger_digits), "`stronger_digits` is still `...`: augment `samples` with the stronger layers."
    digits = np.asarray(stronger_digits, dtype=np.float32)
    assert digits.shape == samples.shape, (
        f"`stronger_digits` has shape {digits.shape}; expected {samples.shape}, the shape of `samples`.")
    assert np.isfinite(digits).all() and digits.min() >= -1e-3 and digits.max() <= 1.001, (
        f"`stronger_digits` ranges from {digits.min():.3g} to {digits.max():.3g}; augmented digits stay in [0, 1].")
    assert not np.allclose(digits, samples, atol=1e-2), (
        "`stronger_digits` equals `samples`: call the layers with training=True, or they pass the digits through.")
