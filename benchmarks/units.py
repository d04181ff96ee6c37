"""Start the benchmark's web server and task worker the way docs/deployment.md's systemd
units do: each in a CPU control group of its own, the worker's marked idle (`CPUWeight=idle`
is the kernel's `cpu.idle`), the worker's threads at idle priority inside it
(`CPUSchedulingPolicy=idle`).

Placement matters on a small box: Linux shares the CPU between control groups first, so a
worker at idle priority in a group of its own still takes a full share unless the group
itself is idle. Without a writable cgroup file system (not root, or a container without
the cpu controller), `session` puts both in the benchmark's own session, as before.
"""

import contextlib
import os
from pathlib import Path

PLACEMENTS = ("units", "session", "none")
V1_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1: a hierarchy per controller
V2_ROOT = Path("/sys/fs/cgroup")  # cgroup v2: one hierarchy, controllers enabled per level


def cpu_hierarchy() -> Path | None:
    """Where CPU control groups can be made here, or None."""
    if (V1_CPU / "cpu.shares").exists():
        root = V1_CPU
    elif "cpu" in (V2_ROOT / "cgroup.subtree_control").read_text(errors="ignore").split():
        root = V2_ROOT
    else:
        return None
    return root if os.access(root, os.W_OK) else None


class Units:
    """Two control groups, `web` and `worker` (idle), removed again on close."""

    def __init__(self, tag: str):
        root = cpu_hierarchy()
        if root is None:
            raise OSError("no writable cpu control-group hierarchy")
        self.groups = {unit: root / f"undersigned-bench-{tag}-{unit}" for unit in ("web", "worker")}
        for group in self.groups.values():
            group.mkdir(exist_ok=True)
        (self.groups["worker"] / "cpu.idle").write_text("1")

    def command(self, unit: str, command: list) -> list:
        """`command`, started inside `unit`'s group (it moves itself in, then execs, so every
        process it forks is born there)."""
        procs = self.groups[unit] / "cgroup.procs"
        return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh", *map(str, command)]

    def close(self) -> None:
        parent = next(iter(self.groups.values())).parent / "cgroup.procs"
        for group in self.groups.values():
            for pid in (group / "cgroup.procs").read_text().split():
                # a process still running (it should not be) goes back to the parent
                with contextlib.suppress(OSError):
                    parent.write_text(pid)
            group.rmdir()
