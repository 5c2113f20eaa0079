"""What op determinism costs: training speed with and without it, in alternating processes.

``config.setup()`` turns on ``tf.config.experimental.enable_op_determinism()`` so a lesson gives
the same numbers every run. It cannot be turned off again in a process, so each measurement is
its own process; pairs alternate to share the machine's noise. Prints one JSON line with the
median samples/s of each, their ratio, and whether two deterministic runs gave identical weights.

    python benchmarks/determinism.py --pairs 3
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import common  # benchmarks/, beside this script

CHILD = r"""
import hashlib, json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, {root!r})
import keras, tensorflow as tf
from course_utils import data, models
keras.utils.set_random_seed(0)
if {deterministic}:
    tf.config.experimental.enable_op_determinism()
(x, y), _ = data.load_mnist("bundled", fast=False, verbose=False)
x = data.prepare(x)
model = models.build_cnn_3x3()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, batch_size=64, epochs=1, verbose=0)  # warm-up
start = time.perf_counter()
model.fit(x, y, batch_size=64, epochs=2, verbose=0)
rate = 2 * len(x) / (time.perf_counter() - start)
digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
print(json.dumps({{"samples_per_s": rate, "weights_sha256": digest}}))
"""


def measure(deterministic: bool) -> dict:
    code = CHILD.format(root=str(common.ROOT), deterministic=deterministic)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    with_rates, without_rates, digests = [], [], []
    for _ in range(args.pairs):
        on = measure(True)
        off = measure(False)
        with_rates.append(on["samples_per_s"])
        without_rates.append(off["samples_per_s"])
        digests.append(on["weights_sha256"])
    ratios = [a / b for a, b in zip(with_rates, without_rates, strict=True)]
    common.print_result({
        "benchmark": "determinism",
        "deterministic_samples_per_s": round(statistics.median(with_rates)),
        "default_samples_per_s": round(statistics.median(without_rates)),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "deterministic_runs_identical": len(set(digests)) == 1,
        "cpu_count": os.cpu_count(),
        "machine": common.machine(),  # after the measurement: it imports TensorFlow, which the children need alone
    })


if __name__ == "__main__":
    main()
