"""Every deployment format of the 3x3 CNN, measured at full size: size, accuracy, latency, throughput.

Trains the CNN on the bundled 8,000 training digits with the course's fast training, then runs
``course_utils.export.compare_deployments`` on the held-out digits (or the official MNIST test
set with ``--test-dir``). Prints the table and one JSON line::

    python benchmarks/deployment.py                       # 8 epochs, bundled 2,000 test digits
    python benchmarks/deployment.py --test-dir ../shared/data/mnist-official --repeats 11

Timings are medians of ``--repeats`` repeats after warm-up calls; on a shared machine they vary
from run to run, the ratios much less. int8 calibration uses training digits only.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import common  # benchmarks/, beside this script
import keras

from course_utils import export, models, training


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per measurement (median reported)")
    parser.add_argument("--calibration", type=int, default=500, help="training digits for int8 calibration")
    common.add_data_arguments(parser)
    args = parser.parse_args()

    ((x_train, y_train), (x_test, y_test)), test_set = common.load_digits(args.test_dir)

    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy("float32")
    model = models.build_cnn_3x3()
    training.compile_fast(model)
    start = time.perf_counter()
    training.fit_fast(model, x_train, y_train, epochs=args.epochs, verbose=0, seed=args.seed)
    train_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="deployment-benchmark-") as folder:
        table = export.compare_deployments(model, x_test, y_test, representative=x_train[: args.calibration],
                                           folder=folder, repeats=args.repeats)
    print(table, file=sys.stderr)
    print(table.to_markdown(), file=sys.stderr)

    rows = {row["format"]: row for row in table}
    keras_accuracy = rows["Keras predict"]["accuracy"]
    result = {
        "benchmark": "deployment",
        "epochs": args.epochs,
        "train_seconds": round(train_seconds, 1),
        "test_set": test_set,
        "test_samples": len(x_test),
        "int8_vs_predict_speedup": round(export.speed_ratio(table, "Keras predict", "LiteRT int8"), 1),
        "int8_vs_model_call_speedup": round(export.speed_ratio(table, "Keras model(x)", "LiteRT int8"), 1),
        "int8_accuracy_change_points": round(100 * (rows["LiteRT int8"]["accuracy"] - keras_accuracy), 3),
        "formats": {
            name: {
                "size_kB": round(row["size (kB)"], 1),
                "convert_s": None if row["convert (s)"] is None else round(row["convert (s)"], 2),
                "accuracy": round(row["accuracy"], 4),
                "max_abs_diff": float(f"{row['max |Δ|']:.2e}"),
                "ms_per_image_batch1": round(row["ms / image (batch 1)"], 4),
                "images_per_s_batch256": round(row["images / s (batch 256)"]),
            }
            for name, row in rows.items()
        },
        "machine": common.machine(),
    }
    common.print_result(result)


if __name__ == "__main__":
    main()
