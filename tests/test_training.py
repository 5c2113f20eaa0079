"""fit_fast trains like model.fit, and mixed precision is chosen only where it is native."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import config, data, models, training


def hardware(flags: set[str] = frozenset(), gpus: tuple[tuple[int, int], ...] = ()) -> training.Hardware:
    return training.Hardware(frozenset(flags), gpus, "x86_64")


@pytest.mark.parametrize(
    ("flags", "gpus", "expected"),
    [
        ({"avx512f", "avx512_vnni"}, (), "float32"),  # AVX-512 without BF16: emulated bf16 is slower
        ({"avx2", "fma"}, (), "float32"),
        ({"avx512f", "avx512_bf16"}, (), "mixed_bfloat16"),
        ({"amx_bf16", "amx_tile"}, (), "mixed_bfloat16"),
        ({"fp", "asimd", "bf16"}, (), "mixed_bfloat16"),  # ARM with BF16 instructions
        (set(), ((8, 6),), "mixed_bfloat16"),
        (set(), ((7, 5),), "mixed_float16"),
        (set(), ((6, 1),), "float32"),
        ({"avx512_bf16"}, ((6, 1),), "float32"),  # the GPU trains, and it has no fast half types
    ],
)
def test_precision_follows_the_hardware(flags: set[str], gpus: tuple, expected: str) -> None:
    assert training.choose_precision(hardware(flags, gpus)) == expected


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx512f avx512_bf16\n\n")
    assert training.cpu_flags(cpuinfo) == {"fpu", "sse2", "avx512f", "avx512_bf16"}
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd bf16\n")
    assert "bf16" in training.cpu_flags(arm)


def test_this_machine_gets_a_policy_keras_knows() -> None:
    policy = training.choose_precision()
    assert keras.mixed_precision.DTypePolicy(policy).name == policy


def test_use_fast_precision_sets_and_forcing_float32_wins() -> None:
    try:
        assert training.use_fast_precision("float32") == "float32"
        model = models.build_cnn_3x3()
        assert model.get_layer("conv1").compute_dtype == "float32"
        training.use_fast_precision("mixed_bfloat16")
        mixed = models.build_cnn_3x3()
        assert mixed.get_layer("conv1").compute_dtype == "bfloat16"
        assert mixed.get_layer("predictions").compute_dtype == "float32"  # softmax stays float32
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("forced", ["float32", "mixed_bfloat16", "mixed_float16"])
def test_course_precision_overrides_the_hardware(monkeypatch: pytest.MonkeyPatch, forced: str) -> None:
    monkeypatch.setenv("COURSE_PRECISION", forced)
    for machine in (hardware({"avx512_bf16"}, ()), hardware(set(), ()), hardware(set(), ((8, 6),))):
        assert training.fast_precision(machine) == forced
        assert "COURSE_PRECISION" in training.precision_reason(machine)
    try:
        assert training.use_fast_precision() == forced
        assert models.build_cnn_3x3().get_layer("conv1").dtype_policy.name == forced
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_auto_precision_follows_the_hardware_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_PRECISION", "auto")
    assert training.fast_precision(hardware({"avx512_bf16"}, ())) == "mixed_bfloat16"
    assert training.fast_precision(hardware(set(), ())) == "float32"
    assert "bfloat16 instructions" in training.precision_reason(hardware({"avx512_bf16"}, ()))
    assert "compute capability 8.6" in training.precision_reason(hardware(set(), ((8, 6),)))


def test_scaled_learning_rate() -> None:
    assert training.scaled_learning_rate(64) == pytest.approx(1e-3)
    assert training.scaled_learning_rate(256) == pytest.approx(2e-3)


def test_dataset_batches_and_keeps_labels_aligned() -> None:
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.arange(10)
    batches = list(training.make_dataset(x, y, batch_size=4, seed=0).as_numpy_iterator())
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    for features, labels in batches:
        assert np.array_equal(features[:, 0].astype(int), labels)


def test_fit_fast_matches_plain_fit_on_a_small_run() -> None:
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=False, verbose=False)
    # Fixed sizes, independent of fast mode's: enough digits for 4 epochs to learn something.
    x_train, y_train = data.subsample(x_train, y_train, 2_000)
    x_test, y_test = data.subsample(x_test, y_test, 500)
    x_train, x_test = data.prepare(x_train), data.prepare(x_test)
    keras.utils.set_random_seed(0)
    # Float32 on purpose, even in the suite's forced-bfloat16 run: this compares the two training
    # methods, and 2,000 digits x 4 epochs x 2 in emulated bfloat16 would take minutes. Training under
    # mixed precision is tested in test_mixed_precision.py.
    keras.mixed_precision.set_global_policy("float32")
    plain = models.build_cnn_3x3()
    plain.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    fast = models.build_cnn_3x3()
    fast.set_weights(plain.get_weights())
    # 1,800 digits are few steps per epoch at batch 256; the benchmark compares at full size.
    training.compile_fast(fast, batch_size=128)
    plain_history = plain.fit(x_train, y_train, batch_size=64, epochs=4, validation_split=0.1, verbose=0)
    fast_history = training.fit_fast(fast, x_train, y_train, epochs=4, batch_size=128, validation_split=0.1,
                                     verbose=0, seed=0)
    assert fast_history.history.keys() == plain_history.history.keys()
    assert len(fast_history.history["val_accuracy"]) == 4
    _, plain_accuracy = plain.evaluate(x_test, y_test, verbose=0)
    _, fast_accuracy = fast.evaluate(x_test, y_test, verbose=0)
    assert fast_accuracy > 0.85
    assert fast_accuracy > plain_accuracy - 0.05


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_compile_fast_makes_the_first_step_traced_once(fast_digits: dict[str, np.ndarray], loss: str) -> None:
    """Keras resolves ``"accuracy"`` while tracing the first step, and a step that made variables is traced again."""
    x, y = fast_digits["x_train"][:256], fast_digits["y_train"][:256]
    if loss.startswith("categorical"):
        y = keras.utils.to_categorical(y, 10)
    counts = {}
    for way in ("compile", "compile_fast"):
        model = models.build_cnn_3x3()
        if way == "compile":
            model.compile(optimizer="adam", loss=loss, metrics=["accuracy"], steps_per_execution=1)
        else:
            training.compile_fast(model, loss=loss, steps_per_execution=1)
        traced = []
        step = model.train_step
        model.train_step = lambda batch, step=step, traced=traced: traced.append(1) or step(batch)
        history = training.fit_fast(model, x, y, epochs=1, batch_size=128, verbose=0, seed=0)
        counts[way] = len(traced)
        assert "accuracy" in history.history
    assert counts == {"compile": 2, "compile_fast": 1}  # "compile": 2 shows the count can fail


def test_fit_fast_refuses_what_fit_would_get_wrong() -> None:
    x = np.zeros((8, 28, 28, 1), np.float32)
    y = np.zeros(8, np.int64)
    with pytest.raises(ValueError, match="Compile the model first"):
        training.fit_fast(models.build_cnn_3x3(), x, y)
    model = training.compile_fast(models.build_cnn_3x3())
    with pytest.raises(ValueError, match="not both"):
        training.fit_fast(model, x, y, validation_split=0.5, validation_data=(x, y))


def test_the_forced_or_chosen_precision_reaches_the_models() -> None:
    # Under the suite's forced mixed_bfloat16 run (tests/test_forced_bfloat16.py) this checks that
    # conftest.py really builds the modules' models in that policy.
    expected = training.fast_precision()
    if config.precision() != "auto":
        assert models.build_cnn_3x3().get_layer("conv1").dtype_policy.name == expected
    try:
        assert training.use_fast_precision() == expected
    finally:
        keras.mixed_precision.set_global_policy("float32")
