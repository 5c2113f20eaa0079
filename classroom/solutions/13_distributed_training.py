"""Reference solutions to the exercises of notebook 13 (teacher's material)."""

# %% ex13_1
ports_3 = cluster.free_ports(3)
addresses = [f"127.0.0.1:{port}" for port in ports_3]
cluster_spec = {"chief": addresses[:1], "worker": addresses[1:]}
chief_and_workers = [{"cluster": cluster_spec, "task": {"type": "chief", "index": 0}}] + [
    {"cluster": cluster_spec, "task": {"type": "worker", "index": index}} for index in range(2)]
cluster.check_cluster(chief_and_workers)

# %% ex13_2
replicas = 4 * 8
global_batch_size = 64 * replicas
scaled_lr = 1e-3 * global_batch_size / 64
steps_per_epoch = 60_000 // global_batch_size

# %% ex13_3
last_finished_epoch = max(event["epoch"] for event in killed_events if event["event"] == "epoch_end")
first_epoch_after_restart = next(event["epoch"] for event in restart_events if event["event"] == "epoch_begin")
steps_restored = next(event["step"] for event in restart_events if event["event"] == "start")
