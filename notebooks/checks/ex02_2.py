"""Checks for exercise 02.2, A smaller head."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex02_2"

LAYER_NAMES = ["conv1", "pool1", "conv2", "pool2", "conv3", "gap", "dense", "predictions"]
CNN_PARAMETERS, CNN_DENSE = 93_322, 36_928  # the 3×3 CNN with Flatten
GAP_PARAMETERS, GAP_DENSE = 60_554, 4_160  # with GlobalAveragePooling2D


def _check_share(value, expected, variable, what):
    value = float(value)
    assert not np.isclose(value, 100 * expected, rtol=1e-3), (
        f"`{variable}` is {value:.2f}, which looks like a percentage: give a fraction between 0 and 1."
    )
    assert np.isclose(value, expected, rtol=1e-3), (
        f"`{variable}` is {value:.4f}; in {what} `dense` holds {expected:.4f} of all parameters "
        "(dense's count_params() / the model's count_params())."
    )


@test_case(points=1, hidden=False,
           failure_message="Copy section 1's keras.Sequential into cnn_gap and put "
                           "layers.GlobalAveragePooling2D(name=\"gap\") where Flatten was.")
def test_the_model(cnn_gap):
    assert cnn_gap is not ... and cnn_gap is not None, "`cnn_gap` is still `...`: build the model."
    assert hasattr(cnn_gap, "layers") and hasattr(cnn_gap, "count_params"), (
        f"`cnn_gap` is a {type(cnn_gap).__name__}; expected a Keras model."
    )
    kinds = [type(layer).__name__ for layer in cnn_gap.layers]
    assert "Flatten" not in kinds, "`cnn_gap` still has a Flatten layer: replace it, do not add to it."
    assert "GlobalAveragePooling2D" in kinds, "`cnn_gap` has no GlobalAveragePooling2D layer."
    names = [layer.name for layer in cnn_gap.layers if type(layer).__name__ != "InputLayer"]
    assert names == LAYER_NAMES, f"`cnn_gap` has the layers {names}; expected {LAYER_NAMES}."
    gap_shape = tuple(cnn_gap.get_layer("gap").output.shape)[1:]
    assert gap_shape == (64,), (
        f"`gap` gives {gap_shape} values per image; expected (64,): one per feature map of conv3."
    )
    assert cnn_gap.count_params() == GAP_PARAMETERS, (
        f"`cnn_gap` has {cnn_gap.count_params():,} parameters; expected {GAP_PARAMETERS:,}. "
        "Keep every other layer as in section 1."
    )


@test_case(points=1, hidden=False,
           failure_message="dense reads the 64 averages: (inputs + 1)·units parameters, as in section 3.")
def test_the_dense_parameters(dense_params_gap):
    assert dense_params_gap is not ... and dense_params_gap is not None, (
        "`dense_params_gap` is still `...`: set it to the number of parameters of `dense` in cnn_gap."
    )
    assert int(dense_params_gap) == GAP_DENSE, (
        f"`dense_params_gap` is {dense_params_gap}; `dense` in cnn_gap has {GAP_DENSE:,} parameters "
        "(cnn_gap.get_layer(\"dense\").count_params())."
    )


@test_case(points=1, hidden=False,
           failure_message="Divide dense's count_params() by the whole model's count_params(), "
                           "once for cnn and once for cnn_gap.")
def test_the_shares(dense_share_flatten, dense_share_gap):
    assert dense_share_flatten is not ... and dense_share_flatten is not None, (
        "`dense_share_flatten` is still `...`: set it to dense's share of all parameters in `cnn`."
    )
    assert dense_share_gap is not ... and dense_share_gap is not None, (
        "`dense_share_gap` is still `...`: set it to dense's share of all parameters in `cnn_gap`."
    )
    _check_share(dense_share_flatten, CNN_DENSE / CNN_PARAMETERS, "dense_share_flatten", "cnn (with Flatten)")
    _check_share(dense_share_gap, GAP_DENSE / GAP_PARAMETERS, "dense_share_gap", "cnn_gap")
