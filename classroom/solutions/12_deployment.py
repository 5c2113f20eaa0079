"""Reference solutions to the exercises of notebook 12 (teacher's material)."""

# %% ex12_1
calibration_10 = export.compare_deployments(
    model, x_test, y_test, representative=x_train[:10], folder=out / "calibration_10",
    formats=["LiteRT int8"], repeats=config.pick(full=7, fast=2),
)
small, large = calibration_10.find("format", "LiteRT int8"), table.find("format", "LiteRT int8")
accuracy_change = small["accuracy"] - large["accuracy"]
delta_ratio = small["max |Δ|"] / large["max |Δ|"]
print(f"10 calibration images instead of 500: accuracy {accuracy_change * 100:+.2f} points, "
      f"max |Δ| x{delta_ratio:.1f}")

# %% ex12_2
batch_sizes = [1, 8, 64, 256]
lite_float32 = export.LiteRTModel(out / "model.tflite")
lite_int8 = export.LiteRTModel(out / "model_int8.tflite")
contenders = {
    "Keras model(x)": lambda x: model(x, training=False),
    "LiteRT float32": lite_float32.predict,
    "LiteRT int8": lite_int8.predict,
}
images_per_second = {}
for name, run in contenders.items():
    images_per_second[name] = []
    for size in batch_sizes:
        batch = x_test[:size]
        seconds = measuring.median_seconds(lambda run=run, batch=batch: run(batch), repeats=config.pick(full=7, fast=3))
        images_per_second[name].append(size / seconds)
litert_advantage = [lite / keras_speed for lite, keras_speed
                    in zip(images_per_second["LiteRT float32"], images_per_second["Keras model(x)"], strict=True)]
smallest_advantage_at = batch_sizes[int(np.argmin(litert_advantage))]

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, speeds in images_per_second.items():
    ax.plot(batch_sizes, speeds, "o-", label=name)
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xticks(batch_sizes, [str(size) for size in batch_sizes])
ax.set_xlabel("batch size")
ax.set_ylabel("images per second")
ax.legend()
plt.show()
print("LiteRT float32 / model(x):", [f"{ratio:.1f}x" for ratio in litert_advantage],
      f"- smallest at batch {smallest_advantage_at}")

# %% ex12_3
from PIL import ImageDraw


def draw_digit(path, strokes, pen=16):
    """Dark ink on light paper, 200x200, like a photographed digit: each stroke a list of (x, y) points."""
    paper = Image.new("L", (200, 200), 235)
    pen_tool = ImageDraw.Draw(paper)
    for stroke in strokes:
        pen_tool.line(stroke, fill=30, width=pen, joint="curve")
    paper.save(path)
    return path


my_folder = out / "my_digits"
my_folder.mkdir(exist_ok=True)
my_digit_files = [
    draw_digit(my_folder / "one.png", [[(70, 60), (105, 35), (105, 170)], [(70, 170), (140, 170)]]),  # serif 1
    draw_digit(my_folder / "four.png", [[(120, 30), (40, 130), (160, 130)], [(120, 30), (120, 175)]]),
    draw_digit(my_folder / "seven.png", [[(45, 40), (155, 40), (85, 175)], [(70, 105), (135, 105)]], pen=6),
    # a harder one: a 1 with the long up-stroke many Europeans write, which MNIST's writers rarely did
    draw_digit(my_folder / "one_with_flag.png", [[(60, 80), (120, 30), (120, 175)]]),
]
my_digit_labels = [1, 4, 7, 1]
my_batch = np.concatenate([images.load_digit_image(path)[1] for path in my_digit_files])
my_predictions = {name: [int(digit) for digit in predict(my_batch).argmax(axis=1)] for name, predict in runners.items()}
misread = [i for i, (label, digit) in enumerate(zip(my_digit_labels, my_predictions["Keras"], strict=True))
           if digit != label]

fig, axes = plt.subplots(1, len(my_digit_files), figsize=(2.2 * len(my_digit_files), 2.4))
for ax, path, label, digit in zip(axes, my_digit_files, my_digit_labels, my_predictions["Keras"], strict=True):
    ax.imshow(images.load_digit_image(path)[0], cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"wrote {label}, Keras says {digit}")
    ax.axis("off")
plt.show()
Table([{"format": name, **{path.stem: digit for path, digit in zip(my_digit_files, digits, strict=True)}}
       for name, digits in my_predictions.items()], title=f"digits written: {my_digit_labels}")
