"""What every benchmark prints about the machine it ran on (shared, noisy machines: the load
average before and after says how far to trust a figure)."""

from __future__ import annotations

import json
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


def option_values(pairs: list[str]) -> dict[str, object]:
    """``NAME=VALUE`` texts (``--option``) as posture option values: JSON numbers and
    true/false as such, anything else as the word it is (``dosage_basis=record``)."""
    out: dict[str, object] = {}
    for text in pairs:
        key, _, raw = text.partition("=")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out
