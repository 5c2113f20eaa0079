"""Checks for exercise 08.1, A SavedModel without Keras."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex08_1"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message=tr(
               "served = tf.saved_model.load(str(paths['savedmodel'])); "
               "served_probabilities = served.serve(x_test[:5]).numpy().",
               "served = tf.saved_model.load(str(paths['savedmodel']))；"
               "served_probabilities = served.serve(x_test[:5]).numpy()。",
           ))
def test_the_served_probabilities(served_probabilities, model, x_test):
    assert not _unset(served_probabilities), tr(
        "`served_probabilities` is still `...`: set it to what the SavedModel's serve function returns.",
        "`served_probabilities` 仍是 `...`：请把它设为 SavedModel 的 serve 函数的返回值。",
    )
    served = np.asarray(served_probabilities)
    assert served.shape == (5, 10), tr(
        f"`served_probabilities` has shape {served.shape}; expected (5, 10): ten probabilities for each of x_test[:5].",
        f"`served_probabilities` 的形状是 {served.shape}；应为 (5, 10)：x_test[:5] 中每个数字十个概率。",
    )
    predicted = model.predict(x_test[:5], verbose=0)
    worst = float(np.abs(served - predicted).max())
    assert worst <= 1e-5, tr(
        f"`served_probabilities` differs from model.predict(x_test[:5]) by up to {worst:.2g}: call serve on "
        "x_test[:5], the first five test digits, of the SavedModel in paths['savedmodel'].",
        f"`served_probabilities` 与 model.predict(x_test[:5]) 最多相差 {worst:.2g}：请对 paths['savedmodel'] 中的 "
        "SavedModel 调用 serve，输入 x_test[:5]，即前五个测试数字。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "max_difference = float(np.abs(served_probabilities - model.predict(x_test[:5])).max()).",
               "max_difference = float(np.abs(served_probabilities - model.predict(x_test[:5])).max())。",
           ))
def test_the_largest_difference(max_difference, served_probabilities, model, x_test):
    assert not _unset(max_difference), tr(
        "`max_difference` is still `...`: set it to the largest absolute difference.",
        "`max_difference` 仍是 `...`：请把它设为最大的绝对差。",
    )
    assert not _unset(served_probabilities), tr(
        "`served_probabilities` is still `...`: set it first.",
        "`served_probabilities` 仍是 `...`：请先设置它。",
    )
    assert np.ndim(max_difference) == 0, tr(
        f"`max_difference` has shape {np.shape(max_difference)}: take .max() of the absolute differences.",
        f"`max_difference` 的形状是 {np.shape(max_difference)}：请对绝对差取 .max()。",
    )
    expected = float(np.abs(np.asarray(served_probabilities) - model.predict(x_test[:5], verbose=0)).max())
    assert abs(float(max_difference) - expected) <= 1e-7, tr(
        f"`max_difference` is {float(max_difference):.3g}, but the largest absolute difference is {expected:.3g}.",
        f"`max_difference` 是 {float(max_difference):.3g}，但最大的绝对差是 {expected:.3g}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "start = time.perf_counter(); load; seconds = time.perf_counter() - start, once for "
               "tf.saved_model.load and once for keras.layers.TFSMLayer.",
               "start = time.perf_counter()；加载；seconds = time.perf_counter() - start，"
               "tf.saved_model.load 和 keras.layers.TFSMLayer 各一次。",
           ))
def test_the_two_load_times(seconds_saved_model_load, seconds_tfsmlayer):
    for value, variable in ((seconds_saved_model_load, "seconds_saved_model_load"),
                            (seconds_tfsmlayer, "seconds_tfsmlayer")):
        assert not _unset(value), tr(
            f"`{variable}` is still `...`: time that way of loading with time.perf_counter().",
            f"`{variable}` 仍是 `...`：请用 time.perf_counter() 为这种加载方式计时。",
        )
        assert np.ndim(value) == 0 and 0.0 < float(value) < 600.0, tr(
            f"`{variable}` is {value!r}; expected the seconds one load took, a positive number "
            "(time.perf_counter() after minus before).",
            f"`{variable}` 是 {value!r}；应为一次加载所用的秒数，一个正数"
            "（之后的 time.perf_counter() 减去之前的）。",
        )
