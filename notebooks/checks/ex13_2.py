"""Checks for exercise 13.2, Global batch and learning rate on a bigger cluster."""

import math

from otter.test_files import test_case

OK_FORMAT = False

name = "ex13_2"


@test_case(points=1, hidden=False,
           failure_message="Replicas are machines x GPUs per machine; the global batch is the batch per replica "
                           "times the replicas.")
def test_replicas_and_global_batch(replicas, global_batch_size):
    assert replicas is not ... and replicas is not None, "`replicas` is still `...`: set it to an int."
    assert global_batch_size is not ... and global_batch_size is not None, "`global_batch_size` is still `...`."
    assert replicas == 32, f"`replicas` is {replicas!r}; count one replica per GPU on every machine."
    assert global_batch_size == 2048, f"`global_batch_size` is {global_batch_size!r}; it is 64 per replica."


@test_case(points=1, hidden=False,
           failure_message="Scale 1e-3 by global batch / 64; with drop_remainder the last partial batch is dropped "
                           "(integer division).")
def test_learning_rate_and_steps(scaled_lr, steps_per_epoch):
    assert scaled_lr is not ... and scaled_lr is not None, "`scaled_lr` is still `...`: set it to a float."
    assert steps_per_epoch is not ... and steps_per_epoch is not None, "`steps_per_epoch` is still `...`."
    assert math.isclose(float(scaled_lr), 0.032, rel_tol=1e-6), f"`scaled_lr` is {scaled_lr!r}."
    assert steps_per_epoch == 29, f"`steps_per_epoch` is {steps_per_epoch!r}; 60,000 digits in global batches."
