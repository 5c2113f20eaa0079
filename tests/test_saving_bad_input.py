"""Damaged model files, zip bombs, bit rot and odd paths: model_files.describe and load_any answer with ModelFileError.

Every file here is made by the test from a tiny model saved in all five formats, then damaged the
way a disk, a copy, a hand edit or a hostile sender would. Issue 15 listed what the helpers did
before: raw JSONDecodeError / AttributeError / OSError / DecodeError / OpError from describe, a
hand-made config described as fine, 1.6 GB of memory for a zip bomb, silent bit rot in HDF5, and
messages that pointed the wrong way (a symlink loop, a FIFO, a URL, None).
"""

from __future__ import annotations

import os
import shutil
import threading
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from course_utils import model_files, models, saving


def tiny_model() -> keras.Model:
    model = models.build_dnn(units=8)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)


@pytest.fixture(scope="module")
def trained(digits: np.ndarray) -> keras.Model:
    keras.utils.set_random_seed(2)
    model = tiny_model()
    model.fit(digits, np.arange(16) % 10, epochs=1, batch_size=16, verbose=0)  # optimizer state to save
    return model


@pytest.fixture(scope="module")
def saved(trained: keras.Model, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return saving.save_every_format(trained, tmp_path_factory.mktemp("good"))


# --------------------------------------------------------------------------------------------
# Ways to damage a file
# --------------------------------------------------------------------------------------------


def rezip(source: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Copy a .keras zip with its members changed (a hand edit: every CRC is right)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def flip(path: Path, offset: int, mask: int = 0xFF) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    path.write_bytes(bytes(data))


def flip_first(source: Path, target: Path, signature: bytes) -> None:
    """A copy with one byte flipped: the first of ``signature`` (HDF5 marks its B-trees b"TREE", heaps b"HEAP")."""
    shutil.copy(source, target)
    flip(target, target.read_bytes().index(signature))


def kernel_offset(path: Path) -> int:
    """Byte offset in an HDF5 file of the biggest weight array (not optimizer state): the first Dense kernel."""
    found: list[tuple[int, int]] = []
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, item: found.append((item.nbytes, item.id.get_offset()))
                          if isinstance(item, h5py.Dataset) and "optimizer" not in name else None)
    return max(found)[1]


def edit_h5(source: Path, target: Path, change: Callable[[h5py.File], None]) -> None:
    shutil.copy(source, target)
    with h5py.File(target, "a") as handle:
        change(handle)


def copy_folder(source: Path, target: Path, change: Callable[[Path], None]) -> None:
    shutil.copytree(source, target)
    change(target)


def garble_compression(source: Path, target: Path) -> None:
    """Set the compression method of the first entry in the zip's central directory to an unknown one."""
    with zipfile.ZipFile(source) as archive:
        start = archive.start_dir
    data = bytearray(source.read_bytes())
    data[start + 10] = 99  # central directory header: signature, 2 versions, flags, then the method
    target.write_bytes(bytes(data))


def change_tf_version(folder: Path) -> None:
    """Change one character of saved_model.pb that still parses: only the fingerprint can tell."""
    pb = folder / "saved_model.pb"
    flip(pb, pb.read_bytes().index(tf.__version__.encode()), 0x01)  # the version it was written by: "2." -> "3."


def first_data_file(folder: Path) -> Path:
    return next(folder.rglob("*.data-*"))


# Fixes several kinds of damage share.
KERAS_AGAIN = "save the model again with model.save('model.keras'), or get the original file again"
METADATA = "keras.models.load_model(path) does not read metadata.json: load the model with it and save it again"
EXPORT_AGAIN = "export the model again with model.export(folder)"
CHECKPOINT_FILES = "copy all of its files again (the checkpoint file, the .index file and every .data file)"

# name, how to make it from the good files, words describe and load_any must both say, words of the fix
DAMAGED: list[tuple[str, Callable[[dict[str, Path], Path], None], str, str]] = [
    ("config_not_json.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"config.json": b"{not json"})),
     "config.json inside it is not valid JSON", KERAS_AGAIN),
    ("config_a_list.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"config.json": b"[1, 2]"})),
     "holds a JSON list, not a Keras model config", KERAS_AGAIN),
    ("config_hello.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"config.json": b'{"hello": "world"}'})),
     "no 'class_name' and no 'config' (its keys: 'hello')", KERAS_AGAIN),
    ("config_bad_layer.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"config.json": m["config.json"].replace(
         b'"class_name": "Dense"', b'"klass": "Dense"', 1)})),
     "layer 2 of its 'layers' list has no 'class_name'", KERAS_AGAIN),
    ("no_weights.keras", lambda s, p: rezip(s["keras"], p, lambda m: m.pop("model.weights.h5")),
     "no weights", "keras.models.model_from_json"),
    ("weights_garbage.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"model.weights.h5": b"garbage" * 100})),
     "model.weights.h5 inside it is not an HDF5 file", KERAS_AGAIN),
    ("metadata_garbage.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"metadata.json": b"\xff\xfe garbage"})),
     "metadata.json inside it is not valid JSON", METADATA),
    ("metadata_a_list.keras",
     lambda s, p: rezip(s["keras"], p, lambda m: m.update({"metadata.json": b"[]"})),
     "metadata.json inside it holds a JSON list", METADATA),
    ("garbled_header.keras", lambda s, p: garble_compression(s["keras"], p), "a header inside it is garbled",
     "copy or download the file again"),
    ("config_not_json.h5", lambda s, p: edit_h5(s["h5"], p, lambda f: f.attrs.modify("model_config", "{not json")),
     "model_config attribute is not valid JSON", KERAS_AGAIN),
    ("config_a_list.h5", lambda s, p: edit_h5(s["h5"], p, lambda f: f.attrs.modify("model_config", "[1]")),
     "holds a JSON list, not a Keras model config", KERAS_AGAIN),
    ("no_config.h5", lambda s, p: edit_h5(s["h5"], p, lambda f: f.attrs.__delitem__("model_config")),
     "has no model_config attribute", "load_any(path, model=model)"),
    ("tree.weights.h5", lambda s, p: flip_first(s["weights"], p, b"TREE"),
     "this HDF5 file is damaged: h5py cannot read it (Unable to synchronously check link existence (wrong B-tree",
     "compare its size with the original"),
    ("garbage_pb", lambda s, p: copy_folder(s["savedmodel"], p, lambda f: (f / "saved_model.pb").write_bytes(
        b"\xff\xff\xff garbage")), "saved_model.pb is damaged", EXPORT_AGAIN),
    ("no_variables", lambda s, p: copy_folder(s["savedmodel"], p, lambda f: shutil.rmtree(f / "variables")),
     "its variables are missing", EXPORT_AGAIN),
    ("flipped_variables", lambda s, p: copy_folder(s["savedmodel"], p, lambda f: flip(
        first_data_file(f), first_data_file(f).stat().st_size // 2)), "fail their checksum", EXPORT_AGAIN),
    ("edited_pb", lambda s, p: copy_folder(s["savedmodel"], p, change_tf_version),
     "does not match its fingerprint", EXPORT_AGAIN),
    ("garbage_index", lambda s, p: copy_folder(s["checkpoint"], p, lambda f: (f / "ckpt-1.index").write_bytes(
        b"garbage" * 20)), "index file (ckpt-1.index) is damaged", CHECKPOINT_FILES),
    ("cut_data", lambda s, p: copy_folder(s["checkpoint"], p, lambda f: first_data_file(f).write_bytes(
        first_data_file(f).read_bytes()[:10])), "is cut short", CHECKPOINT_FILES),
    ("flipped_data", lambda s, p: copy_folder(s["checkpoint"], p, lambda f: flip(
        first_data_file(f), first_data_file(f).stat().st_size // 2)), "fail their checksum", CHECKPOINT_FILES),
    ("no_data", lambda s, p: copy_folder(s["checkpoint"], p, lambda f: first_data_file(f).unlink()),
     "ckpt-1.data-00000-of-00001 is missing", CHECKPOINT_FILES),
]


@pytest.fixture(scope="module")
def damaged(saved: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    for name, make, _, _ in DAMAGED:
        make(saved, folder / name)
    return folder


def assert_clear(error: model_files.ModelFileError, shown: str, words: str, fix: str) -> None:
    """The message starts with the path as given, says ``words``, and its fix says ``fix`` (an action to take)."""
    message = str(error)
    assert message.startswith(shown + ": "), message
    assert words in message, message
    assert "\nFix: " in message and fix in error.fix, message


@pytest.mark.parametrize(("name", "words", "fix"), [(name, words, fix) for name, _, words, fix in DAMAGED],
                         ids=[name for name, _, _, _ in DAMAGED])
def test_damaged_files_get_one_clear_error(name: str, words: str, fix: str, damaged: Path) -> None:
    path = damaged / name
    with pytest.raises(model_files.ModelFileError) as described:
        model_files.describe(path)
    assert_clear(described.value, str(path), words, fix)
    needs_model = name.endswith(".weights.h5") or name in {"garbage_index", "cut_data", "flipped_data", "no_data"}
    with pytest.raises(model_files.ModelFileError) as loaded:
        saving.load_any(path, model=tiny_model() if needs_model else None)
    assert_clear(loaded.value, str(path), words, fix)


def test_describe_many_names_the_damaged_file(saved: dict[str, Path], damaged: Path) -> None:
    with pytest.raises(model_files.ModelFileError, match="config_hello.keras: "):
        model_files.describe_many([saved["keras"], damaged / "config_hello.keras"])


def test_a_legacy_h5_without_its_config_is_no_weights_file_but_its_weights_load(
        damaged: Path, trained: keras.Model, digits: np.ndarray, fresh_session: None) -> None:
    """Not "weights only": a damaged model file. The fix works: the weights go into a model built in code."""
    assert model_files.identify(damaged / "no_config.h5") == "h5"
    with pytest.raises(model_files.ModelFileError) as caught:
        model_files.describe(damaged / "no_config.h5")
    assert "load_any(path, model=model)" in caught.value.fix
    with pytest.warns(saving.NoChecksumWarning):  # an HDF5 file, loaded: the session's first one says so
        restored = saving.load_any(damaged / "no_config.h5", model=tiny_model())
    assert np.array_equal(restored.predict(digits, verbose=0), trained.predict(digits, verbose=0))


def test_the_architecture_of_a_keras_file_without_weights_can_be_rebuilt(damaged: Path) -> None:
    with pytest.raises(model_files.ModelFileError) as caught:
        saving.load_any(damaged / "no_weights.keras")
    assert "keras.models.model_from_json" in caught.value.fix
    with zipfile.ZipFile(damaged / "no_weights.keras") as archive:  # what the fix says to do
        rebuilt = keras.models.model_from_json(archive.read("config.json").decode())
    assert rebuilt.name == "dnn" and rebuilt.count_params() == tiny_model().count_params()


# --------------------------------------------------------------------------------------------
# Zip bombs
# --------------------------------------------------------------------------------------------


class Inflated(BaseException):  # not an Exception: no `except Exception` in the code under test can hide it
    pass


@pytest.fixture
def inflation_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop the test as soon as more than 32 MB come out of any zip member (zipfile checks each chunk's CRC)."""
    inflated = [0]
    update_crc = zipfile.ZipExtFile._update_crc

    def counting(self: zipfile.ZipExtFile, data: bytes) -> None:
        inflated[0] += len(data)
        if inflated[0] > 32 * 2**20:
            raise Inflated(f"{inflated[0]:,} bytes inflated")
        update_crc(self, data)

    monkeypatch.setattr(zipfile.ZipExtFile, "_update_crc", counting)
    yield


def make_bomb(good: Path, target: Path, member: str, megabytes: int) -> None:
    """A .keras file whose ``member`` inflates to ``megabytes`` MB (10**6 bytes) of spaces, written 1 MB at a time."""
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            if name != member:
                archive.writestr(name, data)
        with archive.open(member, "w", force_zip64=True) as inner:
            if member == "config.json":
                inner.write(b'{"class_name": "Bomb", "config": {}}')  # valid JSON: spaces may follow
            chunk = b" " * 10**6
            for _ in range(megabytes):
                inner.write(chunk)


@pytest.mark.parametrize(("member", "megabytes", "words"), [
    ("config.json", 100, "config.json inside it would inflate to 100 MB"),  # three times the limit
    ("model.weights.h5", 70, "model.weights.h5 inside it would inflate to 70 MB"),  # 64 MiB is 67.1 MB
], ids=["config", "weights"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(member: str, megabytes: int, words: str, saved: dict[str, Path],
                                                     tmp_path: Path, inflation_guard: None) -> None:
    bomb = tmp_path / "bomb.keras"
    make_bomb(saved["keras"], bomb, member, megabytes)
    assert bomb.stat().st_size < megabytes * 10**6 / 100
    tracemalloc.start()
    try:
        for call in (model_files.describe, saving.load_any):
            with pytest.raises(model_files.ModelFileError) as caught:
                call(bomb)
            assert_clear(caught.value, str(bomb), words, "get the model again from a source you trust")
            assert "zip bomb" in str(caught.value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"{peak:,} bytes allocated to refuse it"


# --------------------------------------------------------------------------------------------
# Bit rot: .keras notices a changed byte, HDF5 cannot, and the helpers say so
# --------------------------------------------------------------------------------------------


def test_a_changed_byte_in_a_keras_file_fails_its_crc(saved: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "rot.keras"
    shutil.copy(saved["keras"], copy)
    with zipfile.ZipFile(copy) as archive:
        info = archive.getinfo("model.weights.h5")
        weights = archive.read("model.weights.h5")
    (tmp_path / "inner.h5").write_bytes(weights)
    local_header = 30 + len(info.filename.encode()) + len(info.extra)  # Keras stores members uncompressed
    flip(copy, info.header_offset + local_header + kernel_offset(tmp_path / "inner.h5") + 1)
    for call in (model_files.describe, saving.load_any):
        with pytest.raises(model_files.ModelFileError, match="model.weights.h5 inside it fails its checksum"):
            call(copy)
    assert "CRC-32" in model_files.describe(saved["keras"]).checksums


@pytest.mark.parametrize("key", ["h5", "weights"])
def test_bit_rot_in_hdf5_is_announced(key: str, saved: dict[str, Path], trained: keras.Model, tmp_path: Path,
                                      fresh_session: None) -> None:
    copy = tmp_path / saved[key].name
    shutil.copy(saved[key], copy)
    flip(copy, kernel_offset(copy) + 3, 0x40)  # the highest byte of a float32: its exponent
    description = model_files.describe(copy)
    assert description.checksums.startswith("none"), description
    assert "checksums: none" in str(description) and description.as_row()["checksums"].startswith("none")
    with pytest.warns(saving.NoChecksumWarning) as caught:
        loaded = saving.load_any(copy, model=tiny_model() if key == "weights" else None)
        saving.load_any(copy, model=tiny_model() if key == "weights" else None)
    assert len(caught) == 1, "said once per session"
    message = str(caught[0].message)
    assert str(copy) in message and "no checksum" in message and "SHA-256" in message
    assert caught[0].filename == __file__  # points at the caller's line
    # What the warning is about: the model loaded, and one of its weights is not what was saved.
    assert not all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), trained.get_weights(), strict=True))


def test_formats_that_check_their_bytes_say_so(saved: dict[str, Path]) -> None:
    found = {key: model_files.describe(path).checksums for key, path in saved.items()}
    assert found["keras"].startswith("CRC-32 of every part")
    assert found["h5"].startswith("none") and found["weights"].startswith("none")
    assert "CRC-32C" in found["savedmodel"] and "fingerprint" in found["savedmodel"]
    assert "CRC-32C" in found["checkpoint"]


def test_good_files_load_without_a_checksum_warning(saved: dict[str, Path], fresh_session: None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", saving.NoChecksumWarning)
        saving.load_any(saved["keras"])
        saving.load_any(saved["checkpoint"], model=tiny_model())


# --------------------------------------------------------------------------------------------
# Paths that are not model files: say what they are
# --------------------------------------------------------------------------------------------


def call_with_deadline(call: Callable[[], object], seconds: float = 60.0) -> BaseException | None:
    """Run ``call`` in a thread; fail the test (instead of hanging) if it blocks, e.g. on a FIFO."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as error:  # handed back to the test, whatever it is
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still blocked after {seconds} s"
    return outcome[0]


@pytest.fixture
def odd_paths(tmp_path: Path) -> Path:
    (tmp_path / "loop.keras").symlink_to("loop.keras")
    (tmp_path / "dangling.keras").symlink_to("gone.keras")
    os.mkfifo(tmp_path / "pipe.keras")
    (tmp_path / "cut4.h5").write_bytes(model_files.HDF5_MAGIC[:4])
    (tmp_path / "cut2.keras").write_bytes(model_files.ZIP_MAGIC[:2])
    return tmp_path


URL = "https://example.com/models/mnist_cnn.keras"

# the path (a function of the tmp folder), what the message starts with, words it must hold, words it must not,
# words of its fix
ODD: list[tuple[str, Callable[[Path], object], Callable[[Path], str], list[str], list[str], str]] = [
    ("symlink loop", lambda t: t / "loop.keras", lambda t: str(t / "loop.keras"),
     ["symbolic link that leads back to itself"], ["Did you mean"], "os.readlink(path)"),
    ("dangling symlink", lambda t: t / "dangling.keras", lambda t: str(t / "dangling.keras"),
     ["symbolic link to 'gone.keras', which does not exist"], ["Did you mean"], "point the link at it"),
    ("fifo", lambda t: t / "pipe.keras", lambda t: str(t / "pipe.keras"), ["a named pipe (FIFO)"], ["empty"],
     "save it to a file first"),
    ("dev zero", lambda t: "/dev/zero", lambda t: "/dev/zero", ["a character device"], ["empty"],
     "save it to a file first"),
    ("h5 cut at 4 bytes", lambda t: t / "cut4.h5", lambda t: str(t / "cut4.h5"),
     ["only 4 bytes", "cut short"], ["not those of"], "compare its size with the original"),
    ("keras cut at 2 bytes", lambda t: t / "cut2.keras", lambda t: str(t / "cut2.keras"),
     ["only 2 bytes", "cut short"], ["holds text"], "compare its size with the original"),
    ("url", lambda t: URL, lambda t: URL,
     ["web address", f"keras.utils.get_file('mnist_cnn.keras', origin='{URL}')"], [],
     "download it first, then pass the local path"),
    ("none", lambda t: None, lambda t: "None", ["a NoneType, not a path", "a str or a pathlib.Path"], [],
     "load_any('model.keras')"),
    ("number", lambda t: 42, lambda t: "42", ["an int, not a path", "a str or a pathlib.Path"], [],
     "load_any('model.keras')"),
    ("empty string", lambda t: "", lambda t: "''", ["the path is empty"], ["neither a SavedModel"],
     "pass the name of the file or folder"),
    ("nul character", lambda t: "model\0.keras", lambda t: "'model\\x00.keras'", ["NUL character"], [],
     "build the path from the real name"),
]


@pytest.mark.parametrize(("value", "shown", "present", "absent", "fix"), [case[1:] for case in ODD],
                         ids=[case[0] for case in ODD])
@pytest.mark.parametrize("call", [model_files.describe, saving.load_any, model_files.identify],
                         ids=lambda f: f.__name__)
def test_odd_paths_are_named_for_what_they_are(call: Callable[[object], object], value: Callable[[Path], object],
                                               shown: Callable[[Path], str], present: list[str], absent: list[str],
                                               fix: str, odd_paths: Path) -> None:
    error = call_with_deadline(lambda: call(value(odd_paths)))
    assert isinstance(error, model_files.ModelFileError), repr(error)
    message = str(error)
    assert message.startswith(shown(odd_paths) + ": "), message
    assert all(words in message for words in present), message
    assert not any(words in message for words in absent), message
    assert "\nFix: " in message and fix in error.fix, message
