"""Facts about the running process and machine for benchmark records.

:func:`env_record` is the ``{"task": "env", ...}`` record every benchmark writes next to its
results (see ``DESIGN.md``, Benchmarks and the CLI); :func:`peak_rss_mb` and
:func:`reset_peak_rss` measure the peak resident memory of one piece of work.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = ["env_record", "peak_rss_mb", "reset_peak_rss"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (``VmHWM``) to the current RSS, where Linux allows it.

    After a reset, :func:`peak_rss_mb` reports the peak of the work done since, not of the
    whole process. Returns whether the reset happened (``False`` off Linux or without
    permission; the peak is then process-wide).

    Example:
        >>> isinstance(reset_peak_rss(), bool)
        True
    """
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak resident memory in MiB: ``VmHWM`` of ``/proc/self/status`` (since the last
    :func:`reset_peak_rss`), else ``getrusage`` ``ru_maxrss`` (process-wide).

    Both count everything resident (torch, data, caches), not only the work being measured.

    Example:
        >>> peak_rss_mb() > 0
        True
    """
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10  # kB
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def env_record() -> dict[str, Any]:
    """The ``{"task": "env", ...}`` record: git hash, versions, threads and machine.

    ``git`` is ``git rev-parse HEAD`` of the source checkout (``None`` outside one) and
    ``git_dirty`` whether that checkout had uncommitted changes outside
    ``benchmarks/results/`` (where the records themselves are written; ``None`` if unknown).

    Example:
        >>> sorted(env_record())[:5]
        ['cpu_count', 'date', 'git', 'git_dirty', 'hgkit']
    """
    from hgkit import __version__

    head = _git("rev-parse", "HEAD") or None
    status = (_git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
              if head else None)
    return {
        "task": "env",
        "git": head,
        "git_dirty": None if status is None else bool(status),
        "hgkit": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
