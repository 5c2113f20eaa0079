"""Ensembles of small models: bootstrap samples, averaged probabilities, majority vote, one saved model.

Notebook 10 trains several copies of a small CNN (different seeds, or different bootstrap samples
of the training digits) and combines their predictions:

* :func:`average_probabilities` - the mean of the members' softmax outputs (soft voting);
* :func:`majority_vote` - each member votes for its top class, the most votes win (hard voting);
* :func:`average_ensemble` - the members wrapped in one Functional model whose last layer is
  ``keras.layers.Average``, so the whole ensemble saves to (and reloads from) one ``.keras`` file
  and predicts exactly the mean of the members.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from course_utils.language import tr


def bootstrap_indices(size: int, seed: int) -> np.ndarray:
    """``size`` indices drawn **with replacement** from ``0..size-1`` (a bootstrap sample).

    About 63% of the originals appear at least once (1 - 1/e); the rest are left out and some
    appear twice or more. Bagging trains each member on its own bootstrap sample.
    """
    if size < 1:
        raise ValueError(tr(f"size must be at least 1, not {size}", f"size 至少为 1，而不是 {size}"))
    return np.random.default_rng(seed).integers(0, size, size=size)


def predict_members(members: Sequence[keras.Model], x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Every member's predicted probabilities, stacked: shape (members, N, classes)."""
    return np.stack([np.asarray(member.predict(x, batch_size=batch_size, verbose=0)) for member in members])


def average_probabilities(probabilities: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Soft voting: the mean over members of their probabilities, shape (N, classes)."""
    stacked = np.asarray(probabilities, dtype=np.float64)
    if stacked.ndim != 3:
        raise ValueError(tr(f"expected (members, N, classes) probabilities, got shape {stacked.shape}",
                            f"应为 (成员, N, 类别) 形状的概率，得到的形状是 {stacked.shape}"))
    return stacked.mean(axis=0)


def majority_vote(probabilities: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Hard voting: the class most members predict, for each of the N examples.

    Ties (e.g. two members for ``3``, two for ``5``) go to the tied class with the larger
    average probability, so the result does not depend on the order of the classes.
    """
    stacked = np.asarray(probabilities, dtype=np.float64)
    if stacked.ndim != 3:
        raise ValueError(tr(f"expected (members, N, classes) probabilities, got shape {stacked.shape}",
                            f"应为 (成员, N, 类别) 形状的概率，得到的形状是 {stacked.shape}"))
    num_classes = stacked.shape[2]
    choices = stacked.argmax(axis=2)  # (members, N)
    votes = np.stack([(choices == k).sum(axis=0) for k in range(num_classes)], axis=1)  # (N, classes)
    # Votes are whole numbers and the tie-breaker is below 1, so it only decides between equal votes.
    return (votes + 0.5 * stacked.mean(axis=0)).argmax(axis=1)


def average_ensemble(members: Sequence[keras.Model], name: str = "ensemble") -> keras.Model:
    """One Functional model: the same input goes to every member, a float32 ``Average`` layer combines them.

    Equivalent to::

        inputs = keras.Input(shape=(28, 28, 1))
        outputs = keras.layers.Average()([member(inputs) for member in members])
        ensemble = keras.Model(inputs, outputs)

    The members keep their weights (they are shared, not copied). Their names must differ, since
    a Keras model cannot hold two layers with the same name. The averaging runs in float32 even
    under a mixed-precision policy, so the result is the mean of the members' outputs.
    """
    if len(members) < 2:
        raise ValueError(tr("an ensemble needs at least two members", "集成至少需要两个成员"))
    names = [member.name for member in members]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(tr(
            f"members need different names, but {repeated} appear more than once; build them with "
            "e.g. models.build_cnn_3x3(name=f'member_{i}')",
            f"成员的名字必须互不相同，但 {repeated} 出现了不止一次；请这样构建它们，"
            "例如 models.build_cnn_3x3(name=f'member_{i}')",
        ))
    shapes = {tuple(member.inputs[0].shape[1:]) for member in members}
    if len(shapes) != 1:
        raise ValueError(tr(f"members expect different input shapes: {sorted(shapes)}",
                            f"各成员期望的输入形状不同：{sorted(shapes)}"))
    inputs = keras.Input(shape=shapes.pop(), name="image")
    outputs = keras.layers.Average(dtype="float32", name="average")([member(inputs) for member in members])
    return keras.Model(inputs, outputs, name=name)
