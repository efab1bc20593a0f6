# mypy: disable-error-code="no-untyped-def"
"""The drones of a run, one loop over the calls: sorties flown or missed, eyes on scene.

``drone_pass`` is the compiled engine's half of ``engine.fly_drones``, one nopython loop over
arrays; the Python engine runs the readable ``engine._Air`` (the same model, drones as
objects), and ``tests/sim/test_kernel.py`` holds the two to equal logs. The model
(``SimConfig``):

- every drone stands by at its home post, charged, while its slot's duty is not ``off``;
- a sortie is flown when the drone is on the ground and charged at its start (not away on a
  call or recharging), else it is missed; in the air the drone moves along the sortie's
  waypoints at an even pace from the end of its launch to its landing (hovers spread along
  the path), its battery drawn from the launch;
- at each call (in call order) the drone that gets eyes on the scene soonest is chosen among
  those airborne on a sortie and those standing by: a straight flight at ``speed`` (plus the
  launch, or what remains of it), if the battery left covers the flight there, ``overwatch``
  minutes over the scene and the flight to its home post. It is sent when it gets there
  before the ground unit the dispatcher sent (``ground_eta``; infinite when the call waits);
  a sortie it was flying ends there. It lands at its home post after the overwatch and is
  back on standby ``recharge`` minutes later.

Rows of the drone log: kind 0 a sortie flown (its end cut to the diversion when one comes),
1 a flight to a call (from the call to the landing), 2 a sortie missed (its planned times).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xunfang._jit import cached_njit

#: the kernels' decorator; Any, as numba's own njit is to mypy (the kernels are untyped)
_njit: Any = cached_njit()


@_njit
def _along(wp_x, wp_y, lo, hi, frac):
    """The point at ``frac`` (0..1) of the length of the polyline wp[lo:hi]."""
    total = 0.0
    for j in range(lo + 1, hi):
        total += math.hypot(wp_x[j] - wp_x[j - 1], wp_y[j] - wp_y[j - 1])
    if total <= 0.0 or frac <= 0.0:
        return wp_x[lo], wp_y[lo]
    goal = min(frac, 1.0) * total
    done = 0.0
    for j in range(lo + 1, hi):
        seg = math.hypot(wp_x[j] - wp_x[j - 1], wp_y[j] - wp_y[j - 1])
        if seg > 0.0 and done + seg >= goal:
            f = (goal - done) / seg
            return (wp_x[j - 1] + f * (wp_x[j] - wp_x[j - 1]),
                    wp_y[j - 1] + f * (wp_y[j] - wp_y[j - 1]))
        done += seg
    return wp_x[hi - 1], wp_y[hi - 1]


@_njit
def drone_pass(order, call, inc_x, inc_y, eligible, ground_eta, home_x, home_y, on_duty, L, P,
               off, drone_ptr, s_start, s_end, wp_ptr, wp_x, wp_y, speed, launch, overwatch,
               battery, recharge, H):
    n = call.shape[0]
    D = home_x.shape[0]
    K = s_start.shape[0]
    inc_drone = np.full(n, -1, np.int64)
    eyes = np.full(n, np.nan)
    cap = K + n + 1
    a_drone = np.zeros(cap, np.int64)
    a_kind = np.zeros(cap, np.int64)
    a_start = np.zeros(cap)
    a_end = np.zeros(cap)
    a_inc = np.full(cap, -1, np.int64)
    na = 0
    ptr = drone_ptr[:D].copy()  # each drone's next sortie
    free_at = np.full(D, -np.inf)  # on the ground and charged from then on
    cur = np.full(D, -1, np.int64)  # the sortie being flown
    cur_row = np.full(D, -1, np.int64)
    for step in range(n + 1):
        last = step == n
        if last:
            t = H
            i = -1
        else:
            i = order[step]
            if not eligible[i] or call[i] >= H:
                continue
            t = call[i]
        best = np.inf
        bd = -1
        b_back = 0.0
        for d in range(D):
            # sorties due by t: flown when the drone is free at their start, else missed
            while ptr[d] < drone_ptr[d + 1] and (s_start[ptr[d]] <= t if not last
                                                 else s_start[ptr[d]] < H):
                k = ptr[d]
                ptr[d] += 1
                a_drone[na] = d
                a_start[na] = s_start[k]
                a_end[na] = s_end[k]
                if free_at[d] <= s_start[k] + 1e-9:
                    a_kind[na] = 0
                    cur[d] = k
                    cur_row[d] = na
                    free_at[d] = s_end[k] + recharge
                else:
                    a_kind[na] = 2
                na += 1
            if last:
                continue
            if cur[d] >= 0 and s_end[cur[d]] <= t:
                cur[d] = -1
            if cur[d] >= 0:  # airborne on a sortie
                k = cur[d]
                fly0 = s_start[k] + launch
                span = s_end[k] - fly0
                frac = (t - fly0) / span if span > 0.0 else 0.0
                px, py = _along(wp_x, wp_y, wp_ptr[k], wp_ptr[k + 1], frac)
                left = battery - (t - s_start[k])
                extra = max(0.0, fly0 - t)
            elif free_at[d] <= t and on_duty[d, (int(t // L) + off) % P]:
                px, py = home_x[d], home_y[d]
                left = battery
                extra = launch
            else:
                continue
            there = math.hypot(inc_x[i] - px, inc_y[i] - py) / speed
            back = math.hypot(home_x[d] - inc_x[i], home_y[d] - inc_y[i]) / speed
            if left + 1e-9 < extra + there + overwatch + back:
                continue  # not enough battery for there, overwatch and home
            eta = t + extra + there
            if eta < best:
                best = eta
                bd = d
                b_back = back
        if last or bd < 0 or not best < ground_eta[i]:
            continue
        d = bd
        if cur[d] >= 0:  # the sortie ends here: the drone turns to the call
            a_end[cur_row[d]] = t
            cur[d] = -1
        land = best + overwatch + b_back
        a_drone[na] = d
        a_kind[na] = 1
        a_start[na] = t
        a_end[na] = land
        a_inc[na] = i
        na += 1
        free_at[d] = land + recharge
        inc_drone[i] = d
        eyes[i] = best
    return inc_drone, eyes, a_drone, a_kind, a_start, a_end, a_inc, na


__all__ = ["drone_pass"]
