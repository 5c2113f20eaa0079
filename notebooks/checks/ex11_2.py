"""Checks for exercise 11.2, Keep the statistics, or not?"""

import math

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex11_2"


def _batchnorm_layers(model):
    """Every BatchNormalization layer inside ``model``, nested models included, in order."""
    found = []
    for layer in getattr(model, "layers", []):
        if type(layer).__name__ == "BatchNormalization":
            found.append(layer)
        found.extend(_batchnorm_layers(layer))
    return found


def _pretrained_means(base_path):
    from course_utils import transfer

    base = transfer.build_conv_base()
    base.load_weights(base_path)
    return [np.array(layer.moving_mean) for layer in _batchnorm_layers(base)]


def _dict_of_counts(value, label, label_counts):
    assert value is not ... and value is not None, f"`{label}` is still `...`: set it to a dict {{count: ...}}."
    assert isinstance(value, dict), f"`{label}` is a {type(value).__name__}; expected a dict {{count: ...}}."
    assert sorted(value) == sorted(label_counts), \
        f"`{label}` has the keys {sorted(value)}; expected every count of label_counts, {list(label_counts)}."
    for count, item in value.items():
        assert isinstance(item, float | int | np.floating) and math.isfinite(float(item)), \
            f"{label}[{count}] is {item!r}; expected a number."


@test_case(points=1, hidden=False,
           failure_message="Fine-tune as transfer_and_fine_tune does, without the loop that freezes the "
                           "BatchNorm layers, and keep the model of the smallest count.")
def test_batchnorm_recomputed_its_statistics(recomputed_model, moving_mean_shift, base_path, label_counts):
    assert recomputed_model is not ... and recomputed_model is not None, \
        "`recomputed_model` is still `...`: set it to the model fine-tuned on the smallest count."
    _dict_of_counts(moving_mean_shift, "moving_mean_shift", label_counts)
    batchnorm = _batchnorm_layers(recomputed_model)
    assert len(batchnorm) == 3, \
        f"`recomputed_model` has {len(batchnorm)} BatchNormalization layers; expected the base's 3 " \
        "(build it from pretrained_base() with new_classifier)."
    frozen = [layer.name for layer in batchnorm if not layer.trainable]
    assert not frozen, \
        f"BatchNorm layers {frozen} are still frozen: after base.trainable = True, leave them trainable."
    means = [np.array(layer.moving_mean) for layer in batchnorm]
    pretrained = _pretrained_means(base_path)
    shift = max(float(np.abs(now - before).max()) for now, before in zip(means, pretrained, strict=True))
    assert shift > 0, \
        "the moving means are still the pretrained ones: fine-tune with the BatchNorm layers trainable."
    smallest = min(label_counts)
    assert math.isclose(float(moving_mean_shift[smallest]), shift, rel_tol=1e-4, abs_tol=1e-6), \
        f"moving_mean_shift[{smallest}] is {float(moving_mean_shift[smallest]):.4g}, but the moving means of " \
        f"recomputed_model moved by up to {shift:.4g} from the pretrained ones (head training leaves them alone, " \
        "so the change is all from fine-tuning)."
    for count in label_counts:
        assert float(moving_mean_shift[count]) > 0, \
            f"moving_mean_shift[{count}] is {moving_mean_shift[count]}; with trainable BatchNorm the means move."


@test_case(points=1, hidden=False,
           failure_message="One test accuracy per count of label_counts; kept_accuracy[count] is "
                           "row['samples']['fine-tuned'][0] of the curve's row for that count.")
def test_the_comparison_with_kept_statistics(recomputed_accuracy, kept_accuracy, curve, label_counts):
    _dict_of_counts(recomputed_accuracy, "recomputed_accuracy", label_counts)
    _dict_of_counts(kept_accuracy, "kept_accuracy", label_counts)
    for count, value in recomputed_accuracy.items():
        assert 0.0 <= float(value) <= 1.0, f"recomputed_accuracy[{count}] is {value}; expected an accuracy in [0, 1]."
    for row in curve:
        count, expected = row["labels"], row["samples"]["fine-tuned"][0]
        assert math.isclose(float(kept_accuracy[count]), float(expected), abs_tol=1e-9), \
            f"kept_accuracy[{count}] is {float(kept_accuracy[count]):.4f}; the curve's first sample at {count} " \
            f"labels gave {float(expected):.4f} (row['samples']['fine-tuned'][0])."
