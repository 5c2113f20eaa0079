"""Loading the bundled digits, the split, idx files, and the errors for damaged data."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from idx_files import write_fashion_folder, write_idx

from course_utils import data

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT.parent / "shared" / "data" / "mnist-official"
BUILD_SCRIPT = ROOT / "data" / "build_mnist_10k.py"


def test_bundled_file_is_the_recorded_one() -> None:
    images, labels = data.load_bundled()
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert images.min() == 0 and images.max() == 255 and int(images.sum(dtype=np.int64)) == 262_146_600  # the pixels


def test_bundled_files_are_package_resources() -> None:
    package = Path(data.__file__).resolve().parent
    assert data.BUNDLED_PATH == package / "resources" / "mnist-10k.npz"
    assert data.BUNDLED_HASH_PATH == package / "resources" / "mnist-10k.sha256"
    assert data.BUNDLED_HASH_PATH.read_text().split() == [data.expected_bundled_sha256(), data.BUNDLED_PATH.name]
    assert data.resource_path("my_digit.png").is_file()


def test_bundled_split_is_stratified_disjoint_and_fixed() -> None:
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=False, verbose=False)
    assert x_train.shape == (8_000, 28, 28) and x_test.shape == (2_000, 28, 28)
    train_share = np.bincount(y_train, minlength=10) / len(y_train)
    test_share = np.bincount(y_test, minlength=10) / len(y_test)
    assert np.abs(train_share - test_share).max() < 0.002
    # No image is in both parts (rows compared as bytes).
    assert not {row.tobytes() for row in x_train} & {row.tobytes() for row in x_test}
    (again, _), _ = data.load_mnist("bundled", fast=False, verbose=False)
    assert np.array_equal(x_train, again)


def test_fast_mode_keeps_a_small_stratified_subset(capsys: pytest.CaptureFixture[str]) -> None:
    (x_train, y_train), (x_test, y_test) = data.load_mnist("auto", fast=True)
    assert len(x_train) == data.FAST_TRAIN_SIZE and len(x_test) == data.FAST_TEST_SIZE
    assert set(np.unique(y_train)) == set(range(10))
    out = capsys.readouterr().out
    assert "bundled" in out and "Fast mode" in out


# --- Keras' own cache (~/.keras/datasets/mnist.npz) -------------------------------------------
# The fakes are written into a temporary folder that stands in for the Keras cache; the real
# ~/.keras is never read or written.


@pytest.fixture(scope="module")
def full_size_arrays() -> dict[str, np.ndarray]:
    """Arrays with the shapes of the official mnist.npz (60,000 + 10,000), made of the bundled digits."""
    images, labels = data.load_bundled()
    train = np.arange(60_000) % len(labels)
    test = np.arange(10_000)
    return {"x_train": images[train], "y_train": labels[train], "x_test": images[test], "y_test": labels[test]}


def fake_keras_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **arrays: np.ndarray) -> Path:
    """Write ``mnist.npz`` with these arrays into a stand-in Keras cache; returns its path."""
    cache = tmp_path / "keras-home" / "datasets"
    cache.mkdir(parents=True)
    monkeypatch.setattr(data, "KERAS_DATASETS_DIR", cache)
    np.savez(cache / "mnist.npz", **arrays)
    return cache / "mnist.npz"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: keras.datasets.mnist.load_data() on a cached mnist.npz that is not the official file: Keras says
#: which SHA-256 it expected, then tries to download the real one (which offline_keras refuses).
KERAS_CHECKS_ITS_MNIST_CACHE = """
import keras
from course_utils import data

data.KERAS_DATASETS_DIR.mkdir(parents=True)
data.keras_mnist_path().write_bytes(b"not the official file")
keras.datasets.mnist.load_data()
"""


def test_the_expected_hash_is_the_one_keras_checks(offline_keras) -> None:
    """Keras checks the file the course reads (``keras_mnist_path``) against ``KERAS_MNIST_SHA256``."""
    result = offline_keras.run(KERAS_CHECKS_ITS_MNIST_CACHE)
    assert result.returncode != 0 and "Connection refused" in result.stderr, result.stdout + result.stderr[-3000:]
    # The file was found where the course looks (else Keras would not compare it), and judged by this hash.
    assert "A local file was found" in result.stdout, result.stdout
    assert re.findall(r"\b[0-9a-f]{64}\b", result.stdout) == [data.KERAS_MNIST_SHA256], result.stdout


def test_auto_uses_an_official_keras_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           full_size_arrays: dict[str, np.ndarray],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cached = fake_keras_cache(tmp_path, monkeypatch, **full_size_arrays)
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", sha256_of(cached))  # this fake plays the official file
    (x_train, y_train), (x_test, _) = data.load_mnist("auto", fast=False)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert np.array_equal(y_train, full_size_arrays["y_train"])
    assert f"full MNIST from Keras ({cached})" in capsys.readouterr().out


def test_a_cache_with_scrambled_labels_is_not_taken_for_mnist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_size_arrays: dict[str, np.ndarray]
) -> None:
    scrambled = dict(full_size_arrays, y_train=np.random.default_rng(0).permutation(full_size_arrays["y_train"]))
    cached = fake_keras_cache(tmp_path, monkeypatch, **scrambled)
    with pytest.raises(data.DataError) as error:
        data.load_mnist("keras", fast=False, verbose=False)
    message = str(error.value)
    assert str(cached) in message and "SHA-256" in message and data.KERAS_MNIST_SHA256[:12] in message
    assert "changed" in message and "Delete it" in message and 'load_mnist("bundled")' in message


def test_a_cache_of_twenty_digits_falls_back_to_the_bundled_ones_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    images, labels = data.load_bundled()
    cached = fake_keras_cache(tmp_path, monkeypatch, x_train=images[:20], y_train=labels[:20],
                              x_test=images[20:25], y_test=labels[20:25])
    with pytest.warns(UserWarning) as warned:
        (x_train, _), (x_test, _) = data.load_mnist("auto", fast=False)
    assert x_train.shape == (8_000, 28, 28) and x_test.shape == (2_000, 28, 28)  # the bundled split
    message = str(warned[0].message)
    assert str(cached) in message and "20 training and 5 test digits" in message and "60,000" in message
    assert "Delete it" in message and "bundled digits" in message
    assert "the bundled MNIST digits" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("damage", "expected"),
    [("truncated", "cannot be read"), ("empty", "cannot be read"), ("not a zip", "cannot be read"),
     ("missing arrays", "lacks x_test, y_test"), ("labels 0-99", "labels reach"),
     ("float pixels", "float64")],
)
def test_a_damaged_cache_is_named_with_the_fix_in_auto_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_size_arrays: dict[str, np.ndarray],
    capsys: pytest.CaptureFixture[str], damage: str, expected: str,
) -> None:
    images, labels = data.load_bundled()
    small = {"x_train": images[:60], "y_train": labels[:60], "x_test": images[60:70], "y_test": labels[60:70]}
    arrays = {"missing arrays": {"x_train": images[:60], "y_train": labels[:60]},
              "labels 0-99": dict(full_size_arrays, y_test=(np.arange(10_000) % 100).astype(np.uint8)),
              "float pixels": dict(small, x_train=images[:60] / 255.0)}.get(damage, small)
    cached = fake_keras_cache(tmp_path, monkeypatch, **arrays)
    if damage == "truncated":
        cached.write_bytes(cached.read_bytes()[:3000])
    elif damage == "empty":
        cached.write_bytes(b"")
    elif damage == "not a zip":
        cached.write_text("<html>404 Not Found</html>")
    with pytest.warns(UserWarning, match=re.escape(str(cached))) as warned:
        (x_train, _), _ = data.load_mnist("auto", fast=False)
    assert len(x_train) == 8_000
    message = str(warned[0].message)
    assert expected in message and "Delete it" in message and "(DataError)" not in capsys.readouterr().out


def test_the_keras_source_refuses_a_damaged_cache_with_the_path(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cached = fake_keras_cache(tmp_path, monkeypatch, x_train=np.zeros((2, 28, 28), np.uint8))
    cached.write_bytes(cached.read_bytes()[:100])
    with pytest.raises(data.DataError, match=re.escape(str(cached)) + ".*cannot be read.*Delete it"):
        data.load_mnist("keras", fast=False, verbose=False)


def test_a_file_with_the_official_hash_is_still_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shapes are checked after the hash too, so a wrong constant cannot let a toy file pass as MNIST."""
    images, labels = data.load_bundled()
    cached = fake_keras_cache(tmp_path, monkeypatch, x_train=images[:60], y_train=labels[:60],
                              x_test=images[60:70], y_test=labels[60:70])
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", sha256_of(cached))
    with pytest.raises(data.DataError, match="60 training and 10 test digits"):
        data.load_mnist("keras", fast=False, verbose=False)


def test_stratified_split_exact_sizes() -> None:
    labels = np.repeat(np.arange(10), [5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
    train, test = data.stratified_split(labels, 37)
    assert len(test) == 37 and len(train) == len(labels) - 37
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(labels)))


def test_a_damaged_bundled_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "mnist-10k.npz"
    raw = bytearray(data.BUNDLED_PATH.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    with pytest.raises(data.DataError, match="damaged.*build_mnist_10k.py"):
        data.load_bundled(damaged)


def test_a_truncated_file_is_refused_even_without_the_hash(tmp_path: Path) -> None:
    truncated = tmp_path / "mnist-10k.npz"
    truncated.write_bytes(data.BUNDLED_PATH.read_bytes()[:5000])
    with pytest.raises(data.DataError, match="cannot be read"):
        data.load_bundled(truncated, verify=False)


def test_a_missing_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(data.DataError, match="missing.*build_mnist_10k.py"):
        data.load_bundled(tmp_path / "nothing.npz")


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(data.DataError, match="expected uint8"):
        data.check_digits(np.zeros((3, 28, 28), np.float32), np.zeros(3, np.uint8), "x")
    with pytest.raises(data.DataError, match="labels reach 11"):
        data.check_digits(np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 11], np.uint8), "x")


def test_read_idx_round_trip_and_truncation(tmp_path: Path) -> None:
    array = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_idx(tmp_path / "a-images-idx3-ubyte.gz", array)
    assert np.array_equal(data.read_idx(tmp_path / "a-images-idx3-ubyte.gz"), array)
    raw = gzip.decompress((tmp_path / "a-images-idx3-ubyte.gz").read_bytes())
    (tmp_path / "b.gz").write_bytes(gzip.compress(raw[:-10]))
    with pytest.raises(data.DataError, match="truncated"):
        data.read_idx(tmp_path / "b.gz")
    (tmp_path / "c").write_bytes(b"not an idx file")
    with pytest.raises(data.DataError, match="not an idx file"):
        data.read_idx(tmp_path / "c")


@pytest.mark.skipif(not OFFICIAL.is_dir(), reason="shared/ reference data is not beside this checkout")
def test_official_test_set_reads() -> None:
    images, labels = data.load_idx_dataset(OFFICIAL, "t10k")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)


def test_fashion_mnist_from_a_keras_style_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_fashion_folder(tmp_path / "fashion-mnist", train_count=60, test_count=20)
    monkeypatch.setattr(data, "KERAS_DATASETS_DIR", tmp_path)
    (x_train, y_train), (x_test, _) = data.load_fashion_mnist(fast=False, verbose=False)
    assert x_train.shape == (60, 28, 28) and x_test.shape == (20, 28, 28)
    assert y_train[:10].tolist() == list(range(10))


def test_fashion_mnist_missing_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "KERAS_DATASETS_DIR", tmp_path)
    monkeypatch.setattr(data, "FASHION_DEBIAN_DIR", tmp_path / "none")
    with pytest.raises(data.DataError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist()


def test_preprocessing_shapes_and_ranges() -> None:
    images = np.array([[[0, 255]] * 2], dtype=np.uint8)
    prepared = data.prepare(images)
    assert prepared.shape == (1, 2, 2, 1) and prepared.dtype == np.float32
    assert prepared.min() == 0.0 and prepared.max() == 1.0
    assert data.one_hot(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]


def test_build_script_reproduces_the_bundled_file(tmp_path: Path) -> None:
    """The rebuild is byte-identical, from a tiny fake package with the same layout."""
    spec = importlib.util.spec_from_file_location("build", BUILD_SCRIPT)
    build = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(build)
    assert (build.OUTPUT, build.HASH_FILE) == (data.BUNDLED_PATH, data.BUNDLED_HASH_PATH)  # the package's files
    images, labels = data.load_bundled()
    package = tmp_path / "package"
    (package / "src" / "digits").mkdir(parents=True)
    import json

    for digit in range(10):
        chosen = images[labels == digit][:3].reshape(-1) / 255
        (package / "src" / "digits" / f"{digit}.json").write_text(json.dumps({"data": np.round(chosen, 3).tolist()}))
    rebuilt_images, rebuilt_labels = build.convert(package)
    expected = np.concatenate([images[labels == d][:3] for d in range(10)])
    assert np.array_equal(rebuilt_images, expected)
    build.write_npz(tmp_path / "a.npz", images=rebuilt_images, labels=rebuilt_labels)
    build.write_npz(tmp_path / "b.npz", images=rebuilt_images, labels=rebuilt_labels)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    shutil.rmtree(package)
