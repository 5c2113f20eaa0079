"""Loading MNIST and Fashion-MNIST offline, and the small preprocessing steps the lessons use.

:func:`load_mnist` keeps the contract of ``keras.datasets.mnist.load_data()``:
``(x_train, y_train), (x_test, y_test)`` with uint8 images of shape (N, 28, 28) and uint8
labels. It prefers the full data set (60,000 + 10,000) when Keras has it, and otherwise uses
the 10,000 real MNIST digits bundled with the package (``course_utils/resources/mnist-10k.npz``,
inside the installed wheel too), split 8,000 / 2,000.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import hashlib
import socket
import warnings
import zipfile
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from course_utils import config
from course_utils.language import tr

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

_RESOURCE_FILES = contextlib.ExitStack()
atexit.register(_RESOURCE_FILES.close)


def resource_path(name: str) -> Path:
    """A real file path to one of the files shipped in ``course_utils/resources/``.

    They are package data (``importlib.resources``), so they are found the same way in a source
    checkout, in an installed wheel and on any Jupyter: no path to the repository is involved.
    A package imported from a zip file is extracted once, for the life of the process.
    """
    resource = resources.files("course_utils") / "resources" / name
    if isinstance(resource, Path):
        return resource
    return _RESOURCE_FILES.enter_context(resources.as_file(resource))


BUNDLED_PATH: Path = resource_path("mnist-10k.npz")
BUNDLED_HASH_PATH: Path = resource_path("mnist-10k.sha256")
BUNDLED_TEST_SIZE = 2_000
SPLIT_SEED = 2024
#: Fast mode keeps this many training and test digits (stratified).
FAST_TRAIN_SIZE = 1_200
FAST_TEST_SIZE = 300

KERAS_DATASETS_DIR = config.KERAS_HOME / "datasets"
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
FASHION_CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def rebuild_hint() -> str:
    """How to get the bundled digits back, in the current language (:mod:`course_utils.language`)."""
    return tr(
        "Reinstall the course_utils package, or in the course's folder restore it with "
        "`git checkout course_utils/resources/` or rebuild it with `python data/build_mnist_10k.py`.",
        "请重新安装 course_utils 包，或在课程文件夹中用 `git checkout course_utils/resources/` 恢复它，"
        "或用 `python data/build_mnist_10k.py` 重新生成它。",
    )


class DataError(RuntimeError):
    """A data file is missing or damaged; the message says which file and how to fix it."""


# --------------------------------------------------------------------------------------------
# Bundled digits
# --------------------------------------------------------------------------------------------


def expected_bundled_sha256() -> str:
    """The SHA-256 recorded by ``data/build_mnist_10k.py`` next to the bundled file."""
    try:
        return BUNDLED_HASH_PATH.read_text().split()[0]
    except (OSError, IndexError) as error:
        raise DataError(
            tr(
                f"{BUNDLED_HASH_PATH} is missing or empty. {rebuild_hint()}",
                f"{BUNDLED_HASH_PATH} 缺失或为空。{rebuild_hint()}",
            )
        ) from error


def load_bundled(path: config.PathLike = BUNDLED_PATH, verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load and verify the bundled 10,000 digits: ``(images, labels)``, unsplit.

    Checks the SHA-256 recorded at build time, then shapes, dtypes and the label range, so a
    damaged file is reported as such instead of training on garbage.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            tr(
                f"The bundled digits {path} are missing. {rebuild_hint()}",
                f"随课程附带的数字 {path} 缺失。{rebuild_hint()}",
            )
        )
    if verify:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != expected_bundled_sha256():
            raise DataError(
                tr(
                    f"{path} is damaged: its SHA-256 is {digest[:12]}..., "
                    f"expected {expected_bundled_sha256()[:12]}.... {rebuild_hint()}",
                    f"{path} 已损坏：它的 SHA-256 哈希值是 {digest[:12]}...，"
                    f"应为 {expected_bundled_sha256()[:12]}...。{rebuild_hint()}",
                )
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            images, labels = archive["images"], archive["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(
            tr(
                f"{path} cannot be read as the course's .npz ({error}). {rebuild_hint()}",
                f"{path} 无法作为本课程的 .npz 读取（{error}）。{rebuild_hint()}",
            )
        ) from error
    check_digits(images, labels, str(path))
    return images, labels


def check_digits(images: np.ndarray, labels: np.ndarray, where: str, fix: str | None = None) -> None:
    """Raise :class:`DataError` unless these are uint8 28x28 images with labels 0-9.

    ``fix`` ends the message (default: :func:`rebuild_hint`, the bundled file's fix).
    """
    problems = []
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        problems.append(
            tr(
                f"images are {images.dtype} {images.shape}, expected uint8 (N, 28, 28)",
                f"图像是 {images.dtype} {images.shape}，应为 uint8 (N, 28, 28)",
            )
        )
    if labels.dtype != np.uint8 or labels.shape != (len(images),):
        problems.append(
            tr(
                f"labels are {labels.dtype} {labels.shape}, expected uint8 ({len(images)},)",
                f"标签是 {labels.dtype} {labels.shape}，应为 uint8 ({len(images)},)",
            )
        )
    elif len(labels) and labels.max() > 9:
        problems.append(tr(f"labels reach {labels.max()}, expected 0-9", f"标签最大到 {labels.max()}，应为 0-9"))
    if problems:
        fix = rebuild_hint() if fix is None else fix
        listed = tr("; ", "；").join(problems)
        raise DataError(tr(f"{where}: {listed}. {fix}", f"{where}：{listed}。{fix}"))


def stratified_split(
    labels: np.ndarray, test_size: int, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)`` with each class in the same proportion in both parts.

    Every class gives ``round(test_size * class_share)`` items to the test part (adjusted so
    the total is exactly ``test_size``); both index arrays are shuffled.
    """
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quotas = np.floor(counts * test_size / len(labels)).astype(int)
    # Hand the remainder to the classes with the largest fractional parts.
    remainder = test_size - quotas.sum()
    fractions = counts * test_size / len(labels) - quotas
    quotas[np.argsort(-fractions, kind="stable")[:remainder]] += 1
    train_parts, test_parts = [], []
    for cls, quota in zip(classes, quotas, strict=True):
        members = rng.permutation(np.flatnonzero(labels == cls))
        test_parts.append(members[:quota])
        train_parts.append(members[quota:])
    return rng.permutation(np.concatenate(train_parts)), rng.permutation(np.concatenate(test_parts))


def subsample(x: np.ndarray, y: np.ndarray, size: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """A stratified random subset of ``size`` items (all of them if ``size >= len(y)``)."""
    if size >= len(y):
        return x, y
    _, keep = stratified_split(y, size, seed)
    return x[keep], y[keep]


# --------------------------------------------------------------------------------------------
# Full MNIST through Keras
# --------------------------------------------------------------------------------------------


#: Where Keras downloads MNIST from, and the SHA-256 of that official ``mnist.npz``: the
#: ``file_hash`` that ``keras.datasets.mnist.load_data()`` passes to ``keras.utils.get_file``
#: (``keras/src/datasets/mnist.py``; a test checks it against the installed Keras).
KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
#: Training and test digits in the official file.
KERAS_MNIST_SIZES = (60_000, 10_000)
_KERAS_MNIST_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def keras_mnist_path() -> Path:
    """Where Keras keeps full MNIST: ``$KERAS_HOME/datasets/mnist.npz`` (``~/.keras`` by default)."""
    return KERAS_DATASETS_DIR / "mnist.npz"


def keras_mnist_cached() -> bool:
    """True when Keras' ``mnist.npz`` is on disk (whether it is intact is checked when it is loaded)."""
    return keras_mnist_path().is_file()


def internet_reachable(host: str = "storage.googleapis.com", timeout: float = 3.0) -> bool:
    """A quick check (one TCP connection) that Keras' download server answers."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _keras_cache_fix(path: Path) -> str:
    return tr(
        f"Delete it (`rm {path}`) and Keras downloads the official file again the next time it is online "
        '(`keras.datasets.mnist.load_data()`), or use the bundled digits: `data.load_mnist("bundled")`.',
        f"删除它（`rm {path}`），Keras 下次联网时会重新下载官方文件"
        '（`keras.datasets.mnist.load_data()`）；或使用随课程附带的数字：`data.load_mnist("bundled")`。',
    )


def _npz_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array in an ``.npz``, read from the headers alone (no data loaded)."""
    headers = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            with archive.open(name) as member:
                npy = np.lib.format
                version = npy.read_magic(member)
                reader = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                shape, _, dtype = reader(member)
            headers[name.removesuffix(".npy")] = (shape, dtype)
    return headers


def _what_is_wrong_with(path: Path, digest: str) -> str:
    """Why a ``mnist.npz`` whose hash is not the official one is not MNIST, as precisely as can be told.

    Reads only the array headers and the labels, so a huge or hostile file costs little.
    """
    try:
        headers = _npz_headers(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        size = path.stat().st_size
        return tr(
            f"it cannot be read as an .npz archive ({type(error).__name__}: {error}; {size:,} bytes, the official "
            "file has 11,490,434): the download was cut off, or something else was saved under that name",
            f"它无法作为 .npz 压缩包读取（{type(error).__name__}: {error}；{size:,} 字节，官方文件有 "
            "11,490,434 字节）：下载被中断了，或者用这个名字保存的是别的东西",
        )
    missing = [name for name in _KERAS_MNIST_ARRAYS if name not in headers]
    if missing:
        held = ", ".join(sorted(headers))
        holds = tr(f"it holds {held}", f"它有 {held}") if held else tr("it holds no arrays", "它没有任何数组")
        return tr(f"it lacks {', '.join(missing)} ({holds})", f"它缺少 {', '.join(missing)}（{holds}）")
    (x_train, x_train_type), (x_test, x_test_type) = headers["x_train"], headers["x_test"]
    (y_train, y_train_type), (y_test, y_test_type) = headers["y_train"], headers["y_test"]
    counts = (x_train[0] if x_train else 0, x_test[0] if x_test else 0)
    expected = (
        x_train == (KERAS_MNIST_SIZES[0], 28, 28) and x_test == (KERAS_MNIST_SIZES[1], 28, 28)
        and y_train == (KERAS_MNIST_SIZES[0],) and y_test == (KERAS_MNIST_SIZES[1],)
    )
    problems = []
    if not expected:
        problems.append(
            tr(
                f"it holds {counts[0]:,} training and {counts[1]:,} test digits (x_train {x_train}, y_train "
                f"{y_train}, x_test {x_test}, y_test {y_test}), expected {KERAS_MNIST_SIZES[0]:,} and "
                f"{KERAS_MNIST_SIZES[1]:,} 28x28 digits",
                f"它有 {counts[0]:,} 个训练数字和 {counts[1]:,} 个测试数字（x_train {x_train}，y_train "
                f"{y_train}，x_test {x_test}，y_test {y_test}），应为 {KERAS_MNIST_SIZES[0]:,} 个和 "
                f"{KERAS_MNIST_SIZES[1]:,} 个 28x28 的数字",
            )
        )
    types = {str(t) for t in (x_train_type, x_test_type, y_train_type, y_test_type)}
    if types != {"uint8"}:
        problems.append(
            tr(
                f"its arrays are {', '.join(sorted(types))}, expected uint8",
                f"它的数组是 {', '.join(sorted(types))}，应为 uint8",
            )
        )
    if problems:
        return tr("; ", "；").join(problems)
    try:
        with np.load(path, allow_pickle=False) as archive:
            largest = max(int(archive["y_train"].max()), int(archive["y_test"].max()))
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        return tr(
            f"its labels cannot be read ({type(error).__name__}: {error})",
            f"它的标签无法读取（{type(error).__name__}: {error}）",
        )
    if largest > 9:
        return tr(f"its labels reach {largest}, expected 0-9", f"它的标签最大到 {largest}，应为 0-9")
    return tr(
        f"it has the right shapes, but its SHA-256 is {digest[:12]}..., not {KERAS_MNIST_SHA256[:12]}... (the one "
        "Keras checks): digits or labels were changed, so it cannot be trusted as MNIST",
        f"它的形状正确，但它的 SHA-256 哈希值是 {digest[:12]}...，不是 {KERAS_MNIST_SHA256[:12]}...（Keras "
        "校验的那个）：数字或标签被改动过，所以不能把它当作 MNIST 使用",
    )


def load_keras_mnist_file(path: config.PathLike | None = None) -> Split:
    """Load Keras' cached full MNIST after checking that it is the official file.

    Keras itself checks ``mnist.npz`` against a SHA-256 (and downloads it again when it does not
    match); this does the same offline, then checks the shapes (60,000 / 10,000 uint8 28x28
    digits, labels 0-9). A file with scrambled labels, a handful of digits or a cut download is
    refused instead of being used as "full MNIST". Hashing costs ~10 ms, against ~200 ms to
    decompress the file, so it is done at every load and not cached.

    Args:
        path: The ``mnist.npz`` to load; default :func:`keras_mnist_path`.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``, uint8.

    Raises:
        DataError: The file is missing, unreadable or not the official MNIST. The message says
            what is wrong with it, its path, and how to fix it.
    """
    path = keras_mnist_path() if path is None else Path(path)
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise _unreadable_keras_file(path, error) from error
    if digest != KERAS_MNIST_SHA256:
        wrong, fix = _what_is_wrong_with(path, digest), _keras_cache_fix(path)
        raise DataError(
            tr(
                f"Keras' MNIST file {path} is not the official MNIST: {wrong}. {fix}",
                f"Keras 的 MNIST 文件 {path} 不是官方的 MNIST：{wrong}。{fix}",
            )
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            split = (archive["x_train"], archive["y_train"]), (archive["x_test"], archive["y_test"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise _unreadable_keras_file(path, error) from error
    # The hash already vouches for these; checked anyway so that a wrong constant cannot let a toy file pass.
    counts = (len(split[0][1]), len(split[1][1]))
    if counts != KERAS_MNIST_SIZES:
        raise DataError(
            tr(
                f"Keras' MNIST file {path} holds {counts[0]:,} training and {counts[1]:,} test digits, "
                f"expected {KERAS_MNIST_SIZES[0]:,} and {KERAS_MNIST_SIZES[1]:,}. {_keras_cache_fix(path)}",
                f"Keras 的 MNIST 文件 {path} 有 {counts[0]:,} 个训练数字和 {counts[1]:,} 个测试数字，"
                f"应为 {KERAS_MNIST_SIZES[0]:,} 个和 {KERAS_MNIST_SIZES[1]:,} 个。{_keras_cache_fix(path)}",
            )
        )
    for (images, labels), part in zip(split, ("training", "test"), strict=True):
        part_text = tr("training", "训练") if part == "training" else tr("test", "测试")
        where = tr(f"Keras' MNIST file {path} ({part_text} part)", f"Keras 的 MNIST 文件 {path}（{part_text}部分）")
        check_digits(images, labels, where, fix=_keras_cache_fix(path))  # Keras' fix, not the bundled file's
    return split


def _unreadable_keras_file(path: Path, error: Exception) -> DataError:
    return DataError(
        tr(
            f"Keras' MNIST file {path} cannot be read ({error}). {_keras_cache_fix(path)}",
            f"Keras 的 MNIST 文件 {path} 无法读取（{error}）。{_keras_cache_fix(path)}",
        )
    )


def _load_keras_mnist() -> tuple[Split, Path]:
    """Full MNIST from Keras' cache, verified, and the file's path; Keras downloads it first if needed."""
    cached = keras_mnist_path()
    if not cached.is_file():
        import keras

        # get_file checks the download against the same hash; it saves under /tmp/.keras when the
        # cache folder is not writable, so the path it returns is the one to read.
        cached = Path(keras.utils.get_file("mnist.npz", origin=KERAS_MNIST_URL, file_hash=KERAS_MNIST_SHA256,
                                           cache_dir=str(KERAS_DATASETS_DIR.parent)))
    return load_keras_mnist_file(cached), cached


def _shown(path: Path) -> str:
    """``path`` with the home folder written ``~``, as students see it in their file browser."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _full_mnist(source: str, verbose: bool) -> tuple[Split, Path] | None:
    """Full MNIST and its file, as :func:`load_mnist` decides for ``source``; None means the bundled digits."""
    if source == "keras":
        return _load_keras_mnist()
    if source == "auto" and (keras_mnist_cached() or (config.allow_download() and internet_reachable())):
        try:
            return _load_keras_mnist()
        except DataError as error:
            # A damaged or modified cache is a fault the student must see even with verbose=False:
            # a warning says what and where, and the lesson goes on with the bundled digits.
            # stacklevel 3: the line that called load_mnist.
            warnings.warn(
                tr(f"{error} Using the bundled digits instead.", f"{error}改用随课程附带的数字。"),
                UserWarning,
                stacklevel=3,
            )
        except Exception as error:  # a download that fails (network, server) falls back quietly
            if verbose:
                print(
                    tr(
                        f"Full MNIST could not be downloaded ({type(error).__name__}: {error}); "
                        "using the bundled digits.",
                        f"无法下载完整的 MNIST（{type(error).__name__}: {error}）；改用随课程附带的数字。",
                    )
                )
    return None


def load_mnist(
    source: Literal["auto", "bundled", "keras"] = "auto",
    fast: bool | None = None,
    verbose: bool = True,
) -> Split:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist``.

    ``source``:

    * ``"auto"``: full MNIST (60,000 / 10,000) if Keras has it cached, or can download it now
      (not in fast mode, nor with ``COURSE_OFFLINE=1``); otherwise the bundled digits. A cached
      file that is not the official one (see :func:`load_keras_mnist_file`) is not used: a
      ``UserWarning`` says what is wrong with it, where it is and how to fix it, and the bundled
      digits are used.
    * ``"bundled"``: the 10,000 bundled digits, stratified 8,000 train / 2,000 test.
    * ``"keras"``: like ``keras.datasets.mnist.load_data()`` (downloads if not cached); a cached
      file that is not the official one raises :class:`DataError`.

    In fast mode (``fast`` defaults to ``config.FAST``) a stratified subset is kept so a
    notebook runs in seconds. Prints which data it used and how many digits.
    """
    if source not in ("auto", "bundled", "keras"):
        raise ValueError(
            tr(
                f"source must be 'auto', 'bundled' or 'keras', not {source!r}",
                f"source 必须是 'auto'、'bundled' 或 'keras'，而不是 {source!r}",
            )
        )
    fast = config.FAST if fast is None else fast
    full = _full_mnist(source, verbose)
    origin = "bundled" if full is None else "keras"
    if full is not None:
        ((x_train, y_train), (x_test, y_test)), keras_file = full
    else:
        images, labels = load_bundled()
        train_idx, test_idx = stratified_split(labels, BUNDLED_TEST_SIZE)
        x_train, y_train = images[train_idx], labels[train_idx]
        x_test, y_test = images[test_idx], labels[test_idx]

    total = (len(y_train), len(y_test))
    if fast:
        x_train, y_train = subsample(x_train, y_train, FAST_TRAIN_SIZE)
        x_test, y_test = subsample(x_test, y_test, FAST_TEST_SIZE)
    if verbose:
        what = (
            tr(f"full MNIST from Keras ({_shown(keras_file)})", f"来自 Keras 的完整 MNIST（{_shown(keras_file)}）")
            if origin == "keras"
            else tr(
                f"the bundled MNIST digits ({BUNDLED_PATH.name}, shipped with course_utils, offline)",
                f"随课程附带的 MNIST 数字（{BUNDLED_PATH.name}，随 course_utils 提供，离线可用）",
            )
        )
        print(
            tr(
                f"Using {what}: {total[0]:,} training and {total[1]:,} test digits.",
                f"使用{what}：{total[0]:,} 个训练数字和 {total[1]:,} 个测试数字。",
            )
        )
        if fast:
            print(
                tr(
                    f"Fast mode: keeping {len(y_train):,} training and {len(y_test):,} test digits.",
                    f"快速模式：保留 {len(y_train):,} 个训练数字和 {len(y_test):,} 个测试数字。",
                )
            )
    return (x_train, y_train), (x_test, y_test)


# --------------------------------------------------------------------------------------------
# idx files (official MNIST test set, Fashion-MNIST)
# --------------------------------------------------------------------------------------------


def read_idx(path: config.PathLike) -> np.ndarray:
    """Read an idx file (the original MNIST format), gzipped or not, into a uint8 array."""
    path = Path(path)
    if not path.is_file():
        raise DataError(tr(f"{path} does not exist.", f"{path} 不存在。"))
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DataError(
            tr(
                f"{path} cannot be read ({error}); is the download complete?",
                f"{path} 无法读取（{error}）；下载完成了吗？",
            )
        ) from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(tr(f"{path} is not an idx file of unsigned bytes.", f"{path} 不是无符号字节的 idx 文件。"))
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    expected = int(np.prod(shape))
    if len(raw) - offset != expected:
        raise DataError(
            tr(
                f"{path} is truncated: {len(raw) - offset:,} bytes of data, expected {expected:,}.",
                f"{path} 被截断了：数据有 {len(raw) - offset:,} 字节，应为 {expected:,} 字节。",
            )
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def load_idx_dataset(folder: config.PathLike, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from ``<prefix>-images-idx3-ubyte.gz`` and ``<prefix>-labels-idx1-ubyte.gz``."""
    folder = Path(folder)
    images = read_idx(folder / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(folder / f"{prefix}-labels-idx1-ubyte.gz")
    check_digits(images, labels, str(folder))
    return images, labels


def fashion_mnist_location() -> Path | None:
    """The folder holding Fashion-MNIST's four idx files (Keras cache first, then Debian's)."""
    for folder in (KERAS_DATASETS_DIR / "fashion-mnist", FASHION_DEBIAN_DIR):
        if all((folder / name).is_file() for name in FASHION_FILES):
            return folder
    return None


def load_fashion_mnist(fast: bool | None = None, verbose: bool = True) -> Split:
    """Load Fashion-MNIST offline, like ``keras.datasets.fashion_mnist.load_data()``.

    Reads the Keras cache (``~/.keras/datasets/fashion-mnist/``) or the Debian package's folder
    (``/usr/share/datasets/fashion-mnist/``); raises :class:`DataError` saying how to get it
    when neither has it. Class names are in :data:`FASHION_CLASS_NAMES`.
    """
    fast = config.FAST if fast is None else fast
    folder = fashion_mnist_location()
    if folder is None:
        raise DataError(
            tr(
                "Fashion-MNIST is not on this machine. Get it with "
                "`keras.datasets.fashion_mnist.load_data()` (needs internet once) or, on Debian/Ubuntu, "
                "`sudo apt-get install dataset-fashion-mnist`.",
                "这台机器上没有 Fashion-MNIST。请用 `keras.datasets.fashion_mnist.load_data()` 获取"
                "（需要联网一次），或在 Debian/Ubuntu 上运行 `sudo apt-get install dataset-fashion-mnist`。",
            )
        )
    x_train, y_train = load_idx_dataset(folder, "train")
    x_test, y_test = load_idx_dataset(folder, "t10k")
    if verbose:
        print(
            tr(
                f"Using Fashion-MNIST from {folder}: {len(y_train):,} training and {len(y_test):,} test images.",
                f"使用来自 {folder} 的 Fashion-MNIST：{len(y_train):,} 张训练图像和 {len(y_test):,} 张测试图像。",
            )
        )
    if fast:
        x_train, y_train = subsample(x_train, y_train, FAST_TRAIN_SIZE)
        x_test, y_test = subsample(x_test, y_test, FAST_TEST_SIZE)
        if verbose:
            print(
                tr(
                    f"Fast mode: keeping {len(y_train):,} training and {len(y_test):,} test images.",
                    f"快速模式：保留 {len(y_train):,} 张训练图像和 {len(y_test):,} 张测试图像。",
                )
            )
    return (x_train, y_train), (x_test, y_test)


# --------------------------------------------------------------------------------------------
# Preprocessing (notebook 01 shows the numpy lines themselves; later lessons call these)
# --------------------------------------------------------------------------------------------


def scale(images: np.ndarray) -> np.ndarray:
    """uint8 pixels 0-255 to float32 in [0, 1]."""
    return images.astype("float32") / 255.0


def add_channel_axis(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) to (N, 28, 28, 1): Conv2D expects a channel axis."""
    return images[..., np.newaxis]


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Integer labels to one-hot float32 rows (for ``categorical_crossentropy``)."""
    return np.eye(num_classes, dtype="float32")[labels]


def prepare(images: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] and add the channel axis: what every CNN lesson feeds the model."""
    return add_channel_axis(scale(images))
