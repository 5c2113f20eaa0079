"""Plain ``model.fit`` vs the course's fast training, side by side in one process.

Both train the 3x3 CNN from the same initial weights on the bundled training digits. After a
warm-up epoch each (tracing, caches), epochs alternate plain / fast so that a noisy, shared
machine slows both alike; the ratio is taken per round and its median reported, together with
the ratio of the two methods' fastest epochs (the least disturbed ones). Prints one JSON line::

    python benchmarks/throughput.py                  # 6 timed rounds
    python benchmarks/throughput.py --precision float32 --rounds 4
    python benchmarks/throughput.py --test-dir ../shared/data/mnist-official

Test accuracy is measured after the same number of epochs for both (the course's 2,000 held-out
digits, or the official test set with ``--test-dir``).
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import common  # benchmarks/, beside this script
import keras

from course_utils import models, training


def timed_epoch(model: keras.Model, inputs: object, labels: object = None, batch_size: int | None = None) -> float:
    start = time.perf_counter()
    # A tf.data pipeline shuffles itself; NumPy arrays are shuffled by fit.
    model.fit(inputs, labels, batch_size=batch_size, epochs=1, verbose=0, shuffle=labels is not None)
    return time.perf_counter() - start


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--rounds", type=int, default=6, help="timed epochs of each (after one warm-up)")
    common.add_precision_argument(parser)
    parser.add_argument("--batch-size", type=int, default=training.DEFAULT_BATCH_SIZE)
    parser.add_argument("--steps-per-execution", type=int, default=training.DEFAULT_STEPS_PER_EXECUTION)
    common.add_data_arguments(parser)
    args = parser.parse_args()

    ((x_train, y_train), (x_test, y_test)), test_set = common.load_digits(args.test_dir)

    keras.utils.set_random_seed(args.seed)
    keras.mixed_precision.set_global_policy("float32")
    plain = models.build_cnn_3x3()
    plain.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    policy = training.use_fast_precision(args.precision)
    fast = models.build_cnn_3x3()
    fast.set_weights(plain.get_weights())  # same start: only the training method differs
    training.compile_fast(fast, batch_size=args.batch_size, steps_per_execution=args.steps_per_execution)
    keras.mixed_precision.set_global_policy("float32")
    pipeline = training.make_dataset(x_train, y_train, batch_size=args.batch_size, seed=args.seed)

    timed_epoch(plain, x_train, y_train, batch_size=training.REFERENCE_BATCH_SIZE)  # warm-up
    timed_epoch(fast, pipeline)
    plain_rates, fast_rates = [], []
    for _ in range(args.rounds):
        plain_seconds = timed_epoch(plain, x_train, y_train, batch_size=training.REFERENCE_BATCH_SIZE)
        plain_rates.append(len(x_train) / plain_seconds)
        fast_rates.append(len(x_train) / timed_epoch(fast, pipeline))
    ratios = [f / p for f, p in zip(fast_rates, plain_rates, strict=True)]
    _, plain_accuracy = plain.evaluate(x_test, y_test, verbose=0)
    _, fast_accuracy = fast.evaluate(x_test, y_test, verbose=0)

    result = {
        "benchmark": "throughput",
        "epochs_each": args.rounds + 1,
        "train_samples": len(x_train),
        "plain": {"batch_size": training.REFERENCE_BATCH_SIZE, "samples_per_s": round(statistics.median(plain_rates)),
                  "test_accuracy": round(float(plain_accuracy), 4)},
        "fast": {"batch_size": args.batch_size, "steps_per_execution": args.steps_per_execution,
                 "precision": policy, "samples_per_s": round(statistics.median(fast_rates)),
                 "test_accuracy": round(float(fast_accuracy), 4)},
        "speedup_median": round(statistics.median(ratios), 3),
        "speedup_range": [round(min(ratios), 3), round(max(ratios), 3)],
        # Each method's fastest epoch: on a shared VM whole epochs get throttled (they drop to about
        # half speed whatever the method), and the best epochs are the least disturbed ones.
        "speedup_best_epochs": round(max(fast_rates) / max(plain_rates), 3),
        "accuracy_difference_points": round(100 * (float(fast_accuracy) - float(plain_accuracy)), 2),
        "test_set": test_set,
        "machine": common.machine(),
    }
    common.print_result(result)


if __name__ == "__main__":
    main()
