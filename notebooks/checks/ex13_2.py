"""Checks for exercise 13.2, Global batch and learning rate on a bigger cluster."""

import math

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex13_2"


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Replicas are machines x GPUs per machine; the global batch is the batch per replica "
               "times the replicas.",
               "副本数是机器数 x 每台机器的 GPU 数；全局批大小是每个副本的批大小"
               "乘以副本数。",
           ))
def test_replicas_and_global_batch(replicas, global_batch_size):
    assert replicas is not ... and replicas is not None, tr(
        "`replicas` is still `...`: set it to an int.",
        "`replicas` 仍是 `...`：请把它设为一个 int。",
    )
    assert global_batch_size is not ... and global_batch_size is not None, tr(
        "`global_batch_size` is still `...`.",
        "`global_batch_size` 仍是 `...`。",
    )
    assert replicas == 32, tr(
        f"`replicas` is {replicas!r}; count one replica per GPU on every machine.",
        f"`replicas` 是 {replicas!r}；每台机器上每个 GPU 算一个副本。",
    )
    assert global_batch_size == 2048, tr(
        f"`global_batch_size` is {global_batch_size!r}; it is 64 per replica.",
        f"`global_batch_size` 是 {global_batch_size!r}；每个副本是 64。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Scale 1e-3 by global batch / 64; with drop_remainder the last partial batch is dropped "
               "(integer division).",
               "把 1e-3 乘以（全局批大小 / 64）；使用 drop_remainder 时，最后那个不完整的批次会被丢弃"
               "（整除）。",
           ))
def test_learning_rate_and_steps(scaled_lr, steps_per_epoch):
    assert scaled_lr is not ... and scaled_lr is not None, tr(
        "`scaled_lr` is still `...`: set it to a float.",
        "`scaled_lr` 仍是 `...`：请把它设为一个 float。",
    )
    assert steps_per_epoch is not ... and steps_per_epoch is not None, tr(
        "`steps_per_epoch` is still `...`.",
        "`steps_per_epoch` 仍是 `...`。",
    )
    assert math.isclose(float(scaled_lr), 0.032, rel_tol=1e-6), tr(
        f"`scaled_lr` is {scaled_lr!r}.",
        f"`scaled_lr` 是 {scaled_lr!r}。",
    )
    assert steps_per_epoch == 29, tr(
        f"`steps_per_epoch` is {steps_per_epoch!r}; 60,000 digits in global batches.",
        f"`steps_per_epoch` 是 {steps_per_epoch!r}；60,000 个数字按全局批大小分批。",
    )
