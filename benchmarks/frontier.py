"""The time-accuracy frontier: the recipe made for each training budget, against the seed CNN.

    python benchmarks/frontier.py --test-dir ../shared/data/mnist-official            # 3 seeds each
    python benchmarks/frontier.py --test-dir PATH --seeds 1 --no-references   # quicker
    python benchmarks/frontier.py --test-dir PATH --budgets 20 --no-references --merge   # redo one budget

Every point is one fresh Python process, as a student's notebook would be: each budget's recipe
(``best_recipe.py --budget B --seed S``) and the reference runs of the seed CNN (notebook 04's
3x3 CNN): plain ``model.fit`` at batch 64, as notebook 04 teaches, and the course's fast training
(``training.fit_fast``), each for a few epoch counts. All train on the 10,000 bundled digits and
are measured once on the official MNIST test set; nothing is chosen here.

Writes ``course_utils/resources/frontier.json`` (every run, the medians over seeds and the
machine; it ships with the package, so notebook 09 reads it with ``recipes.measured_frontier()``
wherever the course is installed) and ``docs/frontier.png`` (training seconds against test
accuracy, drawn by ``plots.plot_frontier``, as notebook 09 draws it), then prints one JSON line:
the medians per budget and whether each budget's goal was met. Takes about 15 minutes with the
defaults on 2 cores; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import common  # benchmarks/, beside this script

HERE = Path(__file__).resolve().parent
#: The seed CNN's reference runs: (how it trains, epochs).
REFERENCES = (
    ("plain fit", 3),
    ("plain fit", 6),
    ("plain fit", 12),
    ("course default", 3),
    ("course default", 6),
    ("course default", 12),
)


def run_child(arguments: list[str]) -> dict[str, Any]:
    """Run a script of this folder in a fresh Python; return the JSON line it prints last."""
    completed = subprocess.run([sys.executable, *arguments], cwd=HERE, capture_output=True, text=True, timeout=900)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def reference_run(how: str, epochs: int, seed: int, test_dir: Path) -> dict[str, Any]:
    """Train the seed CNN on the 10,000 bundled digits (this process); its official-test accuracy and seconds."""
    import keras
    import numpy as np

    from course_utils import data, models, training

    x_train, y_train = data.load_bundled()
    x_test, y_test = data.load_idx_dataset(test_dir, "t10k")
    x_train, x_test = data.prepare(x_train), data.prepare(x_test)
    keras.utils.set_random_seed(seed)
    if how == "plain fit":  # notebook 04: float32, batch 64, Adam's defaults
        model = models.build_cnn_3x3()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x_train, y_train, batch_size=training.REFERENCE_BATCH_SIZE, epochs=epochs, verbose=0)
    else:
        training.use_fast_precision()
        model = models.build_cnn_3x3()
        training.compile_fast(model)
        start = time.perf_counter()
        training.fit_fast(model, x_train, y_train, epochs=epochs, verbose=0, seed=seed)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1) == y_test))
    return {"train_seconds": round(seconds, 1), "test_accuracy": round(accuracy, 4), "epochs": epochs, "seed": seed}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs and their medians over seeds."""
    return {
        "median_seconds": round(statistics.median(run["train_seconds"] for run in runs), 1),
        "median_accuracy": round(statistics.median(run["test_accuracy"] for run in runs), 4),
        "runs": runs,
    }


def main() -> None:
    parser = common.parser(__doc__)
    common.add_test_dir_argument(parser, required=True)
    parser.add_argument("--budgets", type=int, nargs="+", default=None, help="default: recipes.FRONTIER_BUDGETS")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--reference-seeds",
        type=int,
        nargs="+",
        default=[1],
        help="seeds of the seed CNN's reference runs (default: one)",
    )
    parser.add_argument("--no-references", action="store_true", help="only the budgets' recipes")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep what --json already holds for the budgets (and references) not run this time",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=common.ROOT / "course_utils" / "resources" / "frontier.json",
        help="where the measurements go (default: the package's resources/frontier.json)",
    )
    parser.add_argument(
        "--figure",
        type=Path,
        default=common.ROOT / "docs" / "frontier.png",
        help="where the picture goes (default: docs/frontier.png)",
    )
    parser.add_argument("--reference-child", nargs=3, metavar=("HOW", "EPOCHS", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.reference_child:  # one reference run, in the fresh process the parent started
        how, epochs, seed = args.reference_child
        common.print_result(reference_run(how, int(epochs), int(seed), args.test_dir))
        return

    from course_utils import plots, recipes

    budgets = args.budgets or list(recipes.FRONTIER_BUDGETS)
    test_dir = str(args.test_dir.resolve())
    points = []
    for budget in budgets:
        runs = []
        for seed in args.seeds:
            result = run_child(["best_recipe.py", "--budget", str(budget), "--seed", str(seed), "--test-dir", test_dir])
            print(
                f"budget {budget} s, seed {seed}: {result['test_accuracy']:.4f} in {result['train_seconds']} s",
                file=sys.stderr,
                flush=True,
            )
            runs.append(
                {
                    key: result[key]
                    for key in (
                        "seed",
                        "train_seconds",
                        "test_accuracy",
                        "test_accuracy_single_view",
                        "epochs",
                        "load_average_1min",
                        "matmul_gflops_before",
                    )
                }
            )
        points.append({"budget": budget, "recipe": recipes.BEST.name, **summary(runs)})
    references = []
    for how, epochs in () if args.no_references else REFERENCES:
        runs = [
            run_child(["frontier.py", "--test-dir", test_dir, "--reference-child", how, str(epochs), str(seed)])
            for seed in args.reference_seeds
        ]
        print(
            f"seed CNN, {how}, {epochs} epochs: {runs[0]['test_accuracy']:.4f} in {runs[0]['train_seconds']} s",
            file=sys.stderr,
            flush=True,
        )
        references.append({"name": f"seed CNN, {how}", "epochs": epochs, **summary(runs)})

    if args.merge and args.json.exists():
        earlier = json.loads(args.json.read_text())
        points += [point for point in earlier["recipes"] if point["budget"] not in budgets]
        points.sort(key=lambda point: point["budget"])
        references = references or earlier["references"]
    frontier = {
        "measured": time.strftime("%Y-%m-%d"),
        "test_set": "official MNIST test set (10,000 digits); trained on the 10,000 bundled digits",
        "seeds": args.seeds,
        "goals": {str(budget): goal for budget, goal in recipes.BUDGET_GOALS.items()},
        "recipes": points,
        "references": references,
        "machine": common.machine(),
    }
    for path in (args.json, args.figure):
        path.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(frontier, indent=1) + "\n")
    plots.plot_frontier(frontier).savefig(args.figure, dpi=120, bbox_inches="tight")
    common.print_result(
        {
            "benchmark": "frontier",
            "budgets": {
                str(point["budget"]): {
                    "median_seconds": point["median_seconds"],
                    "median_accuracy": point["median_accuracy"],
                    "goal_met": recipes.goal_met(point["budget"], point["median_seconds"], point["median_accuracy"]),
                }
                for point in points
            },
            "written": [str(args.json), str(args.figure)],
            "machine": frontier["machine"],
        }
    )


if __name__ == "__main__":
    main()
