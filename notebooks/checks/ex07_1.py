"""Checks for exercise 07.1, What the optimizer state costs."""

from pathlib import Path

from otter.test_files import test_case

OK_FORMAT = False

name = "ex07_1"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message="Save with model.save(out / 'mnist_cnn_no_optimizer.h5', include_optimizer=False) "
                           "and set h5_without_optimizer to that path.")
def test_the_file_holds_the_model_without_its_optimizer(h5_without_optimizer):
    assert not _unset(h5_without_optimizer), (
        "`h5_without_optimizer` is still `...`: set it to the Path of the .h5 file you saved.")
    path = Path(h5_without_optimizer)
    assert path.is_file(), f"`h5_without_optimizer` is {str(path)!r}, and there is no file there."
    assert path.suffix == ".h5", (
        f"`h5_without_optimizer` ends in {path.suffix!r}; the exercise compares legacy .h5 files.")
    import h5py

    with h5py.File(path, "r") as handle:
        has_architecture = "model_config" in handle.attrs
        groups = sorted(handle)
    assert has_architecture, (
        f"{path.name} has no model_config: it holds weights only (save_weights); save the whole model with model.save.")
    assert "optimizer_weights" not in groups, (
        f"{path.name} still holds the optimizer (its groups are {groups}): pass include_optimizer=False.")


@test_case(points=1, hidden=False,
           failure_message="Divide (out / 'mnist_cnn.h5').stat().st_size by h5_without_optimizer.stat().st_size.")
def test_the_measured_ratio(h5_without_optimizer, size_ratio, out, comparison):
    assert not _unset(size_ratio), "`size_ratio` is still `...`: set it to the size with the optimizer / without."
    assert not _unset(h5_without_optimizer), "`h5_without_optimizer` is still `...`: set it first."
    without = Path(h5_without_optimizer).stat().st_size
    with_optimizer = {}
    if out is not None and (Path(out) / "mnist_cnn.h5").is_file():
        with_optimizer["mnist_cnn.h5"] = (Path(out) / "mnist_cnn.h5").stat().st_size
    if comparison is not None:
        for row in comparison:
            if row["format"] == "legacy .h5":
                with_optimizer["the table's legacy .h5"] = row["size (kB)"] * 1000
    assert with_optimizer, "mnist_cnn.h5 is missing from `out`: run the lesson's cells (section 3) first."
    ratio = float(size_ratio)
    expected = {name: size / without for name, size in with_optimizer.items()}
    assert any(abs(ratio - value) <= 0.01 * value for value in expected.values()), (
        f"`size_ratio` is {ratio:.3f}, but the files give "
        + ", ".join(f"{value:.3f} ({name})" for name, value in expected.items())
        + f" for your file's {without:,} bytes. Divide the larger file's size by the smaller's.")


@test_case(points=1, hidden=False,
           failure_message="Use section 1's counts: (weights + the numbers in Adam's arrays) / weights.")
def test_the_predicted_ratio(predicted_ratio, model):
    assert not _unset(predicted_ratio), (
        "`predicted_ratio` is still `...`: set it to (weights + Adam's numbers) / weights.")
    weights = model.count_params()
    adam = sum(int(v.numpy().size) for v in model.optimizer.variables if v.path.endswith(("momentum", "velocity")))
    expected = (weights + adam) / weights
    assert abs(float(predicted_ratio) - expected) <= 0.01, (
        f"`predicted_ratio` is {float(predicted_ratio):.3f}; section 1's counts give ({weights:,} + {adam:,}) / "
        f"{weights:,} = {expected:.3f}.")
