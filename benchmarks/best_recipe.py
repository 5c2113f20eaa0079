"""Train a course recipe on the bundled digits, then measure it on the official MNIST test set.

    python benchmarks/best_recipe.py --test-dir ../shared/data/mnist-official   # the recipe's 14 epochs
    python benchmarks/best_recipe.py --test-dir PATH --budget 20                # 20 seconds of training
    python benchmarks/best_recipe.py --test-dir PATH --train-on train   # only the 8,000 training digits
    python benchmarks/best_recipe.py --test-dir PATH --seed 7

``--budget SECONDS`` trains the recipe (``recipes.BEST``) for that many seconds instead of its
epochs: its learning-rate schedule follows the clock and training stops when the time is up
(``recipes.TrainingBudget``), so a faster computer gets through more epochs. The recipe was
chosen on validation splits of the bundled training digits; the official test set is only ever
used here, to measure the final choice.
By default the recipe trains on all 10,000 bundled digits (training and held-out parts
together): once the choices are made, the held-out digits are more training data.

The recipe predicts with test-time augmentation (``recipes.predict_with_shifts``: the average
over the digit and four copies moved by one pixel); ``test_accuracy`` is that prediction's
accuracy, ``test_accuracy_single_view`` the plain ``model.evaluate`` figure.

Prints one JSON line. ``train_seconds`` is the time spent in ``fit`` only: importing
TensorFlow, loading data, building the model and evaluating are not counted. The 1-minute load
average and the machine's matrix-multiplication speed just before training
(``matmul_gflops_before``) are printed too: on a shared machine other processes slow training
down, and the same machine can run at half speed for minutes at a time.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import common  # benchmarks/, beside this script
import keras
import numpy as np

from course_utils import data, recipes, training


def training_digits(which: str) -> tuple[np.ndarray, np.ndarray]:
    """All 10,000 bundled digits (``"all"``) or the course's 8,000 training digits (``"train"``)."""
    if which == "all":
        return data.load_bundled()
    (x_train, y_train), _ = data.load_mnist("bundled", fast=False, verbose=False)
    return x_train, y_train


def main() -> None:
    parser = common.parser(__doc__)
    common.add_test_dir_argument(parser, required=True)
    parser.add_argument("--train-on", choices=("all", "train"), default="all",
                        help="all 10,000 bundled digits (default) or the 8,000 training digits")
    parser.add_argument("--budget", type=float, default=None,
                        help="train for this many seconds instead of a number of epochs")
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's (not with --budget)")
    common.add_seed_argument(parser)
    common.add_precision_argument(parser)
    args = parser.parse_args()
    if args.budget is not None and (args.epochs is not None or not args.budget > 0):
        parser.error("--budget takes a positive number of seconds, and replaces --epochs")
    recipe = recipes.BEST

    x_train, y_train = training_digits(args.train_on)
    x_test, y_test = data.load_idx_dataset(args.test_dir, "t10k")
    x_train, x_test = data.prepare(x_train), data.prepare(x_test)

    keras.utils.set_random_seed(args.seed)
    policy = training.use_fast_precision(args.precision)
    gflops_before = common.matmul_gflops()
    cpu_start = time.process_time()
    trained = recipes.train(x_train, y_train, recipe=recipe, epochs=args.epochs, seed=args.seed, seconds=args.budget)
    cpu_seconds = time.process_time() - cpu_start
    _, single_view_accuracy = trained.model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    predict_start = time.perf_counter()
    probabilities = recipes.predict_with_shifts(trained.model, x_test)
    tta_seconds = time.perf_counter() - predict_start
    test_accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))

    load = common.load_average()
    common.print_result({
        "budget": args.budget,
        "recipe": recipe.name,
        "test_time_augmentation_seconds": round(tta_seconds, 2),
        "test_accuracy": round(test_accuracy, 4),
        "test_accuracy_single_view": round(float(single_view_accuracy), 4),
        "train_seconds": round(trained.train_seconds, 1),
        "epochs": trained.epochs,
        "train_digits": len(x_train),
        "test_digits": len(x_test),
        "cpu_seconds": round(cpu_seconds, 1),
        "cores": os.cpu_count(),
        "load_average_1min": None if load is None else round(load[0], 2),
        "matmul_gflops_before": round(gflops_before, 1),
        "precision": policy,
        "seed": args.seed,
        "machine": common.machine(),
    })


if __name__ == "__main__":
    main()
