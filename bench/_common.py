"""What every benchmark prints about the machine it ran on (shared, noisy machines: the load
average before and after says how far to trust a figure)."""

from __future__ import annotations

import os
import platform


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` says."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


def loadavg() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews the figures."""
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "unknown"


def machine_basics() -> dict[str, object]:
    """CPU, cores, Python and numpy: the start of every bench's machine block."""
    import numpy as np

    return {"cpu": cpu_name(), "nproc": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}


def bench_option_pairs(staging_patrols: int | None, w_over: float | None,
                       pairs: list[str]) -> list[str]:
    """The benches' ``--staging-patrols`` and ``--w-over`` (when given) and their
    ``--option NAME=VALUE`` texts, as ``NAME=VALUE`` texts for
    :func:`xunfang.planning.pipeline.options_from_pairs` (one parser, the rules of
    ``xunfang plan --option``; an option given twice is an error)."""
    given = [f"{k}={v}" for k, v in (("staging_patrols", staging_patrols), ("w_over", w_over))
             if v is not None]
    return [*given, *pairs]


def peak_mb() -> float:
    """This process's peak resident memory (MB): ``VmHWM``, the high-water mark of its own
    address space. Not ``ru_maxrss``: Linux carries that over from the parent across fork
    and exec, so a fresh worker would report its parent's peak if that was higher
    (measured: a child of a 2 GB parent reported 1,935 MB, its own peak being 14 MB)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return float("nan")
