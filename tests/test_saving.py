"""Every format round-trips exactly, training resumes where it can, and every bad file gets a clear error."""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import model_files, models, saving, weights_text

#: ``trained``: 48 digits in batches of 16 for 2 epochs.
TRAINED_STEPS = 48 // 16 * 2
#: One more epoch with ``fit``'s default batch size, 32: two batches (32 and 16 digits).
ONE_MORE_EPOCH_STEPS = 2


def tiny_model() -> keras.Model:
    model = models.build_cnn_3x3(filters=4)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((48, 28, 28, 1), dtype=np.float32), np.arange(48) % 10


@pytest.fixture(scope="module")
def trained(batch: tuple[np.ndarray, np.ndarray]) -> keras.Model:
    keras.utils.set_random_seed(1)
    model = tiny_model()
    model.fit(*batch, epochs=2, batch_size=16, verbose=0)
    return model


@pytest.fixture(scope="module")
def saved(trained: keras.Model, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return saving.save_every_format(trained, tmp_path_factory.mktemp("formats"))


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


def test_save_all_measures_every_format(trained: keras.Model, batch: tuple[np.ndarray, np.ndarray],
                                        tmp_path: Path, fresh_session: None) -> None:
    x, y = batch
    with warnings.catch_warnings():
        # Files save_all has just written need no bit-rot warning: nothing red in lesson 07.
        warnings.simplefilter("error", saving.NoChecksumWarning)
        started = time.perf_counter()
        table = saving.save_all(trained, tmp_path, x, y, load_repeats=1)
        elapsed = time.perf_counter() - started
    # save_all did not use up the once-per-session warning: the session's first HDF5 load still says it, once.
    with pytest.warns(saving.NoChecksumWarning) as caught:
        saving.load_any(tmp_path / saving.FILE_NAMES["h5"])
        saving.load_any(tmp_path / saving.FILE_NAMES["h5"])
    said = [w for w in caught if issubclass(w.category, saving.NoChecksumWarning)]
    assert len(said) == 1, "save_all used up the once-per-session warning"
    assert [row["format"] for row in table] == [fmt.label for fmt in model_files.FORMATS.values()]
    original_accuracy = float(np.mean(trained.predict(x, verbose=0).argmax(axis=1) == y))
    for row in table:
        limit = 1e-6 if row["format"].startswith("SavedModel") else 0.0
        assert row["max |Δ|"] <= limit, row
        assert row["accuracy"] == original_accuracy
        assert row["size (kB)"] > 10 and row["save (s)"] > 0 and row["load (s)"] > 0
    # Seconds, each save and load timed once (load_repeats=1): together they fit in save_all's own time.
    assert sum(row["save (s)"] + row["load (s)"] for row in table) <= elapsed
    resumes = {row["format"]: row["continue training"] for row in table}
    assert resumes == {
        ".keras": "yes, optimizer state kept",
        "legacy .h5": "no: fit fails (reload with compile=False, then compile)",
        "SavedModel (export)": "no: inference only",
        ".weights.h5": "yes, optimizer state kept",
        "tf.train.Checkpoint": "yes, optimizer state kept",
    }
    assert "| .keras | model.keras |" in table.to_markdown()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(saving.FILE_NAMES.values())


def test_keras_file_resumes_with_the_optimizer_state(trained: keras.Model, saved: dict[str, Path],
                                                     batch: tuple[np.ndarray, np.ndarray]) -> None:
    reloaded = saving.load_any(saved["keras"])
    assert type(reloaded.optimizer) is type(trained.optimizer)
    assert int(reloaded.optimizer.iterations) == int(trained.optimizer.iterations) == TRAINED_STEPS
    for mine, theirs in zip(reloaded.optimizer.variables, trained.optimizer.variables, strict=True):
        assert np.array_equal(mine.numpy(), theirs.numpy())
    reloaded.fit(*batch, epochs=1, verbose=0)
    assert int(reloaded.optimizer.iterations) == TRAINED_STEPS + ONE_MORE_EPOCH_STEPS  # counts on from the file's


@pytest.mark.parametrize("key", ["weights", "checkpoint"])
def test_weights_and_checkpoints_restore_into_a_fresh_model(key: str, trained: keras.Model, saved: dict[str, Path],
                                                            batch: tuple[np.ndarray, np.ndarray]) -> None:
    restored = saving.load_any(saved[key], model=tiny_model())  # compiled, optimizer not built yet
    assert np.array_equal(restored.predict(batch[0], verbose=0), trained.predict(batch[0], verbose=0))
    assert int(restored.optimizer.iterations) == int(trained.optimizer.iterations)
    for mine, theirs in zip(restored.optimizer.variables, trained.optimizer.variables, strict=True):
        assert np.array_equal(mine.numpy(), theirs.numpy())


def test_a_checkpoint_is_found_by_folder_prefix_or_index(saved: dict[str, Path]) -> None:
    # The prefix and its .index file name the same checkpoint as the folder.
    prefix = saved["checkpoint"] / "ckpt-1"
    assert model_files.identify(prefix) == model_files.identify(Path(f"{prefix}.index")) == "checkpoint"


def test_legacy_h5_reloads_but_cannot_fit_until_recompiled(saved: dict[str, Path],
                                                          batch: tuple[np.ndarray, np.ndarray]) -> None:
    reloaded = keras.models.load_model(saved["h5"])
    with pytest.raises(ValueError, match="Unknown variable"):
        reloaded.fit(*batch, epochs=1, verbose=0)
    workaround = saving.load_any(saved["h5"], compile=False)
    workaround.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    workaround.fit(*batch, epochs=1, verbose=0)
    assert int(workaround.optimizer.iterations) == ONE_MORE_EPOCH_STEPS  # a fresh optimizer starts from 0


@pytest.mark.filterwarnings("ignore:Skipping variable loading")
def test_saving_h5_keeps_the_optimizer_for_later_keras_saves(tmp_path: Path) -> None:
    model = tiny_model()
    model.save(tmp_path / "plain.h5")  # the Keras 3.15 bug this module works around
    assert "optimizer" not in model.get_compile_config()
    assert saving.repair_compile_config(model)
    saving.save_format(model, tmp_path / "guarded.h5", "h5")
    assert "optimizer" in model.get_compile_config()
    model.save(tmp_path / "after.keras")
    assert type(keras.models.load_model(tmp_path / "after.keras").optimizer).__name__ == "Adam"


def test_savedmodel_is_for_inference_only(saved: dict[str, Path], batch: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="TFSMLayer"):
        keras.models.load_model(saved["savedmodel"])
    with pytest.raises(model_files.ModelFileError, match="SavedModel folder") as caught:
        saving.load_model(saved["savedmodel"])
    assert str(saved["savedmodel"]) in str(caught.value) and "Fix: " in str(caught.value)
    inference = saving.load_any(saved["savedmodel"])
    assert inference.predict(batch[0][:3], verbose=0).shape == (3, 10)


def test_describe_reads_headers_only(saved: dict[str, Path]) -> None:
    found = {key: model_files.describe(path) for key, path in saved.items()}
    assert {key: info.format for key, info in found.items()} == {key: key for key in saved}
    assert found["keras"].written_by == found["h5"].written_by == f"Keras {keras.__version__}"
    assert found["savedmodel"].written_by.startswith("TensorFlow 2.")
    assert found["keras"].layers == found["h5"].layers == found["weights"].layers == 8
    assert {key: info.has_optimizer_state for key, info in found.items()} == {
        "keras": True, "h5": True, "savedmodel": False, "weights": True, "checkpoint": True}
    assert "(None, 28, 28, 1)" in found["savedmodel"].details
    table = model_files.describe_many(saved.values())
    assert len(table) == 5 and "8 layers" in str(found["keras"])


# --------------------------------------------------------------------------------------------
# Bad files
# --------------------------------------------------------------------------------------------


def _copy_cut(source: Path, target: Path) -> None:
    raw = source.read_bytes()
    target.write_bytes(raw[: len(raw) // 2])


def _lambda_model(target: Path) -> None:
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Lambda(lambda t: 1 - t),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    model.save(target)


# name in the bad folder, how to make it from the saved formats, words the message must contain, words of its fix
BAD_FILES: list[tuple[str, Callable[[dict[str, Path], Path], None], str, str]] = [
    ("missing.keras", lambda s, p: None, "no such file", "check the name and the folder"),
    ("empty.keras", lambda s, p: p.write_bytes(b""), "empty", "check that the file is not 0 bytes"),
    ("truncated.keras", lambda s, p: _copy_cut(s["keras"], p), "truncated", "compare its size with the original"),
    ("truncated.h5", lambda s, p: _copy_cut(s["h5"], p), "truncated", "compare its size with the original"),
    ("page.keras", lambda s, p: p.write_text("<html>404 Not Found</html>"), "holds text",
     "download or copy the real file again"),
    ("noise.h5", lambda s, p: p.write_bytes(bytes(range(256))), "not a Keras model file",
     "download or copy the real file again"),
    ("h5_named.keras", lambda s, p: shutil.copy(s["h5"], p), "rename it to 'h5_named.h5'",
     "rename it to 'h5_named.h5'"),
    ("zip_named.h5", lambda s, p: shutil.copy(s["keras"], p), "rename it to 'zip_named.keras'",
     "rename it to 'zip_named.keras'"),
    ("weights.keras", lambda s, p: shutil.copy(s["weights"], p), "'weights.weights.h5'",
     "rename it to 'weights.weights.h5'"),
    ("only.weights.h5", lambda s, p: shutil.copy(s["weights"], p), "only weights",
     "load_any(path, model=model) or model.load_weights(path)"),
    ("only_checkpoint", lambda s, p: shutil.copytree(s["checkpoint"], p), "only variables",
     "load_any(path, model=model)"),
    ("model.ckpt", lambda s, p: None, "Keras 2", "tf.train.Checkpoint(model=model).save(prefix)"),
    ("mnist_model", lambda s, p: p.mkdir(), "neither a SavedModel", "model.save('mnist_model.keras')"),
    ("with_lambda.keras", lambda s, p: _lambda_model(p), "safe_mode=False", "load_any(path, safe_mode=False)"),
    ("arrays.keras", lambda s, p: np.savez(p.with_suffix(".npz"), x=np.zeros(2)) or p.with_suffix(".npz").rename(p),
     "no config.json", "the .keras file written by model.save('model.keras')"),
    ("model.tflite", lambda s, p: p.write_bytes(b"TFL3" * 10), "LiteRT", "use the tool named above"),
]


@pytest.fixture(scope="module")
def bad_folder(saved: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, make, _, _ in BAD_FILES:
        make(saved, folder / name)
    return folder


@pytest.mark.parametrize(("name", "words", "fix"), [(name, words, fix) for name, _, words, fix in BAD_FILES],
                         ids=[name for name, _, _, _ in BAD_FILES])
def test_bad_files_get_one_clear_error(name: str, words: str, fix: str, bad_folder: Path) -> None:
    path = bad_folder / name
    with pytest.raises(model_files.ModelFileError) as caught:
        saving.load_any(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\nFix: " in message and fix in caught.value.fix, caught.value.fix
    assert words in message
    assert isinstance(caught.value, ValueError)  # code catching Keras' ValueError still catches it


def test_a_lambda_model_loads_when_the_user_opts_in(bad_folder: Path) -> None:
    model = saving.load_any(bad_folder / "with_lambda.keras", safe_mode=False)
    assert model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0).shape == (1, 10)
    assert "Lambda" in model_files.describe(bad_folder / "with_lambda.keras").details


def test_keras_own_messages_are_the_confusing_ones(bad_folder: Path) -> None:
    """Why the course wraps them: Keras calls a truncated file 'not found', h5py talks about signatures."""
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(bad_folder / "truncated.keras")
    with pytest.raises(OSError, match="signature"):
        keras.models.load_model(bad_folder / "zip_named.h5")


def test_weights_into_the_wrong_architecture(saved: dict[str, Path]) -> None:
    with pytest.raises(model_files.ModelFileError, match=r"layer conv1 has a variable of shape \(3, 3, 1, 8\)"):
        saving.load_any(saved["weights"], model=models.build_cnn_3x3(filters=8))
    with pytest.raises(model_files.ModelFileError, match="does not fit this model"):
        saving.load_any(saved["checkpoint"], model=models.build_dnn())


def test_describe_refuses_bad_files_too(bad_folder: Path) -> None:
    with pytest.raises(model_files.ModelFileError, match="truncated"):
        model_files.describe(bad_folder / "truncated.keras")


# --------------------------------------------------------------------------------------------
# Weights as text
# --------------------------------------------------------------------------------------------


def test_weights_text_round_trip_is_exact(trained: keras.Model, batch: tuple[np.ndarray, np.ndarray],
                                          tmp_path: Path) -> None:
    path = weights_text.export_weights_text(trained, tmp_path / "weights.txt")
    read = weights_text.read_weights_text(path)
    assert list(read) == [v.path for v in trained.trainable_variables]
    assert list(read)[0] == "cnn_3x3/conv1/kernel"
    for variable in trained.trainable_variables:
        assert np.array_equal(read[variable.path], variable.numpy())
    fresh = weights_text.load_weights_text(tiny_model(), path)
    assert np.array_equal(fresh.predict(batch[0], verbose=0), trained.predict(batch[0], verbose=0))


def test_weights_text_keeps_batchnorm_moving_statistics(batch: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    # The moving mean and variance are not trainable, yet without them the model predicts differently.
    def build() -> keras.Model:
        return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                 keras.layers.BatchNormalization(name="bn"), keras.layers.Dense(10, name="out")],
                                name="bn_model")

    x, _ = batch
    original = build()
    original.get_layer("bn").moving_mean.assign(np.full(784, 0.5, dtype=np.float32))
    original.get_layer("bn").moving_variance.assign(np.full(784, 4.0, dtype=np.float32))
    path = weights_text.export_weights_text(original, tmp_path / "bn.txt")
    assert "bn_model/bn/moving_mean" in weights_text.read_weights_text(path)
    fresh = weights_text.load_weights_text(build(), path)
    assert np.array_equal(fresh.predict(x, verbose=0), original.predict(x, verbose=0))


def test_weights_text_at_lower_precision_reads_what_was_printed(trained: keras.Model, tmp_path: Path) -> None:
    path = weights_text.export_weights_text(trained, tmp_path / "short.txt", precision=4)
    read = weights_text.read_weights_text(path)
    kernel = trained.trainable_variables[0].numpy()
    printed = np.array([float(f"{value:.4g}") for value in kernel.ravel()], dtype=np.float32).reshape(kernel.shape)
    assert np.array_equal(read["cnn_3x3/conv1/kernel"], printed)
    assert not np.array_equal(printed, kernel)


def test_weights_text_cut_short_or_for_another_model(trained: keras.Model, tmp_path: Path) -> None:
    path = weights_text.export_weights_text(trained, tmp_path / "weights.txt")
    lines = path.read_text().splitlines()
    (tmp_path / "cut.txt").write_text("\n".join(lines[:-3]))
    with pytest.raises(model_files.ModelFileError, match="cut short"):
        weights_text.read_weights_text(tmp_path / "cut.txt")
    with pytest.raises(model_files.ModelFileError, match="do not match"):
        weights_text.load_weights_text(models.build_dnn(), path)
