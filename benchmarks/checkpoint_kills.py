"""How often does a kill during a save break a checkpoint? Keras' callbacks against the course's.

    .venv/bin/python benchmarks/checkpoint_kills.py            # 40 kills, about a minute
    .venv/bin/python benchmarks/checkpoint_kills.py --kills 100

Runs :func:`course_utils.kill_harness.run_kill_test` (a training process saving with
SafeModelCheckpoint, keras.callbacks.ModelCheckpoint, SafeBackupAndRestore and
keras.callbacks.BackupAndRestore every epoch, killed with SIGKILL mostly during saves, every
file checked after every kill) and prints one JSON line: per target the kills that landed
during its save, and after how many kills its file was broken ("corrupt") or, for backups,
restored weights of another epoch than recorded ("inconsistent").
"""

from __future__ import annotations

import json

import common  # benchmarks/, beside this script

from course_utils import kill_harness


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--kills", type=int, default=40)
    common.add_seed_argument(parser, default=0)
    parser.add_argument("--no-fork", action="store_true", help="a fresh process per kill (as on macOS/Windows)")
    args = parser.parse_args()
    report = kill_harness.run_kill_test(kills=args.kills, seed=args.seed, use_fork=False if args.no_fork else None)
    common.print_result({**json.loads(report.as_json()), "machine": common.machine()})


if __name__ == "__main__":
    main()
