"""Where a training epoch's time goes: TensorFlow's profiler, summed by layer and by kind of work.

    python benchmarks/step_profile.py                  # the recipe (recipes.BEST), 8,000 digits
    python benchmarks/step_profile.py --model cnn_3x3  # notebook 04's CNN
    TF_ENABLE_ONEDNN_OPTS=1 python benchmarks/step_profile.py   # with oneDNN's own kernels

Trains one warm-up epoch (tracing excluded), then profiles one more with ``tf.profiler`` and reads
the trace it wrote (an ``.xplane.pb`` file): every operation TensorFlow ran, with its duration.
Prints a table on standard error, the operations that took longest first (per layer: forward,
gradient of the input, gradient of the weights), with each one's share of all operation time and,
for convolutions and matrix products, the GFLOP/s it reached; then one JSON line.

Why: the recipe's speed on a CPU is mostly a question of which kernels TensorFlow picks. On the
2-core AMD EPYC of docs/performance.md (AVX2, no AVX-512), TensorFlow leaves oneDNN's own operations
off and computes the backward passes of the convolutions with kernels about a third as fast as the
forward ones; this script is how that was seen.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import common  # benchmarks/, beside this script

#: Operation kinds counted as one group in the summary (regular expression on TensorFlow's op type).
KINDS = {
    "convolution, forward": r"Conv2D$",
    "convolution, gradient of the input": r"Conv2DBackpropInput$",
    "convolution, gradient of the weights": r"Conv2DBackpropFilter$",
    "matrix product (dense layers)": r"MatMul$",
    "augmentation (image transforms)": r"ImageProjectiveTransform",
    "pooling": r"MaxPool",
}


def op_times(trace: Path) -> dict[tuple[str, str], float]:
    """Seconds per (operation name, op type) in a profiler trace: only the events of operations."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(trace.read_bytes())
    seconds: dict[tuple[str, str], float] = collections.Counter()
    for plane in space.planes:
        names = {key: metadata.name for key, metadata in plane.event_metadata.items()}
        for line in plane.lines:
            for event in line.events:
                name = names.get(event.metadata_id, "")
                # Operation events are "scope/name:OpType"; the executor's and Python's own are not.
                if ":" in name and "/" in name.split(":")[0]:
                    op_name, op_type = name.rsplit(":", 1)
                    seconds[op_name, op_type] += event.duration_ps / 1e12
    return seconds


def layer_of(op_name: str) -> str:
    """The Keras layer an operation belongs to, from its name scope (``.../best_recipe_1/block3_conv_1/...``)."""
    parts = [part for part in op_name.split("/") if part not in ("StatefulPartitionedCall", "gradient_tape")]
    return re.sub(r"_\d+$", "", parts[1]) if len(parts) > 2 else parts[0]


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--model", choices=("best_recipe", "cnn_3x3"), default="best_recipe")
    parser.add_argument("--digits", type=int, default=8_000)
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    from course_utils import data, models, recipes, training

    images, labels = data.load_bundled()
    x, y = data.prepare(images)[:args.digits], labels[:args.digits]
    keras.utils.set_random_seed(1)
    batch = recipes.BEST.batch_size
    if args.model == "best_recipe":
        model = recipes.build_model(seed=1)
        recipes.compile_model(model, recipes.BEST, steps_per_epoch=-(-len(x) // batch), epochs=10)
    else:
        model = models.build_cnn_3x3()
        training.compile_fast(model, batch_size=batch, steps_per_execution=1)
    training.fit_fast(model, x, y, epochs=1, batch_size=batch, verbose=0, seed=1)  # traces
    with tempfile.TemporaryDirectory() as folder:
        tf.profiler.experimental.start(folder)
        start = time.perf_counter()
        training.fit_fast(model, x, y, epochs=1, batch_size=batch, verbose=0, seed=1)
        epoch_seconds = time.perf_counter() - start
        tf.profiler.experimental.stop()
        seconds = op_times(max(Path(folder).rglob("*.xplane.pb"), key=lambda path: path.stat().st_mtime))

    total = sum(seconds.values())
    flops = model_flops(model, len(x))
    by_kind: dict[str, float] = collections.Counter()
    rows = []
    for (op_name, op_type), took in sorted(seconds.items(), key=lambda item: -item[1]):
        kind = next((kind for kind, pattern in KINDS.items() if re.search(pattern, op_type)), "other")
        by_kind[kind] += took
        rows.append((layer_of(op_name), op_type, took, flops.get((layer_of(op_name), kind))))

    def say(text: str) -> None:  # tables to standard error; the JSON line alone on standard output
        print(text, file=sys.stderr)

    say(f"one epoch of {len(x):,} digits: {epoch_seconds:.2f} s; operations: {total:.2f} s "
        "(operations on different cores overlap)")
    say(f"{'layer':<18} {'operation':<34} {'seconds':>8} {'share':>6} {'GFLOP/s':>8}")
    for layer, op_type, took, work in rows[:15]:
        speed = f"{work / took / 1e9:8.1f}" if work else ""
        say(f"{layer:<18} {op_type:<34} {took:8.3f} {took / total:6.1%} {speed}")
    say("by kind: " + ", ".join(f"{kind} {took / total:.0%}"
                                for kind, took in sorted(by_kind.items(), key=lambda item: -item[1])))
    common.print_result({
        "benchmark": "step_profile",
        "model": args.model,
        "digits": len(x),
        "epoch_seconds": round(epoch_seconds, 2),
        "op_seconds": round(total, 2),
        "share_by_kind": {kind: round(took / total, 3) for kind, took in by_kind.items()},
        "top_ops": [{"layer": layer, "op": op_type, "seconds": round(took, 3),
                     "gflops_per_second": round(work / took / 1e9, 1) if work else None}
                    for layer, op_type, took, work in rows[:8]],
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "TensorFlow's default"),
        "machine": common.machine(),
    })


def model_flops(model: Any, samples: int) -> dict[tuple[str, str], float]:
    """Floating-point operations per epoch of each convolution and dense layer, forward and each gradient.

    A 3x3 convolution with ``c`` input and ``k`` output channels does ``2 * 9 * c * k`` operations
    per output pixel; each of its two gradients does as many again.
    """
    import keras

    work: dict[tuple[str, str], float] = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            per_sample = 2.0 * height * width * filters * layer.kernel.shape[0] * layer.kernel.shape[1] * \
                layer.kernel.shape[2]
        elif isinstance(layer, keras.layers.Dense):
            per_sample = 2.0 * layer.kernel.shape[0] * layer.kernel.shape[1]
        else:
            continue
        kinds = ("convolution, forward", "convolution, gradient of the input", "convolution, gradient of the weights") \
            if isinstance(layer, keras.layers.Conv2D) else ("matrix product (dense layers)",)
        for kind in kinds:
            work[layer.name, kind] = per_sample * samples
    return work


if __name__ == "__main__":
    main()
