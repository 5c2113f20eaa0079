"""The cost of a ``fit``'s first step: traced once (``training.compile_fast``) or twice (plain ``compile``).

    python benchmarks/first_step.py                 # 4 rounds, the two ways alternating
    python benchmarks/first_step.py --rounds 2 --model best_recipe

Keras resolves ``metrics=["accuracy"]`` inside the first training step, so the metric's variables
are made while TensorFlow traces it, and a ``tf.function`` that made variables is traced again.
``compile_fast`` makes the metric object and builds the optimizer before ``fit``
(``training.metrics_made_now``). Each run is a fresh Python process (a student's first ``fit`` in a
notebook), the two ways alternating so that both see the same machine; every run counts how often
``train_step`` was traced (Python runs it only when tracing) and times the first batch from the
call into ``fit``. Prints one JSON line per run and a summary line: medians and their ratio.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from common import ROOT, machine, parser, print_result

CHILD = r"""
import json, sys, time
from course_utils import config
config.setup(verbose=False)
import keras
from course_utils import data, models, recipes, training
way, model_name = sys.argv[1], sys.argv[2]
(x, y), _ = data.load_mnist("bundled", fast=False, verbose=False)
x, y = data.prepare(x)[:4000], y[:4000]
model = recipes.build_model(seed=1) if model_name == "best_recipe" else models.build_cnn_3x3()
if way == "compile_fast":
    training.compile_fast(model, steps_per_execution=1)
else:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=training.scaled_learning_rate(128)),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=1)
traces = []
step = model.train_step
model.train_step = lambda batch: traces.append(1) or step(batch)
class FirstBatch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            self.seconds = time.perf_counter() - start
first = FirstBatch()
start = time.perf_counter()
training.fit_fast(model, x, y, epochs=1, batch_size=128, verbose=0, seed=1, callbacks=[first])
print(json.dumps({"way": way, "model": model_name, "traces": len(traces), "first_batch_seconds": first.seconds,
                  "epoch_seconds": time.perf_counter() - start}))
"""

WAYS = ("compile", "compile_fast")


def main() -> None:
    arguments = parser(__doc__.split("\n\n")[0])
    arguments.add_argument("--rounds", type=int, default=4)
    arguments.add_argument("--model", choices=("cnn_3x3", "best_recipe"), default="cnn_3x3")
    options = arguments.parse_args()
    runs: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    for _ in range(options.rounds):
        for way in WAYS:
            done = subprocess.run([sys.executable, "-c", CHILD, way, options.model], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            runs[way].append(result)
            print(json.dumps(result), flush=True)
    medians = {way: statistics.median(run["first_batch_seconds"] for run in runs[way]) for way in WAYS}
    print_result({
        "benchmark": "first_step", "model": options.model, "rounds": options.rounds,
        "traces": {way: sorted({run["traces"] for run in runs[way]}) for way in WAYS},
        "first_batch_seconds_median": {way: round(value, 2) for way, value in medians.items()},
        "first_batch_ratio": round(medians["compile"] / medians["compile_fast"], 2),
        "machine": machine(),
    })


if __name__ == "__main__":
    main()
