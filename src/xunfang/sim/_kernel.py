# mypy: disable-error-code="no-untyped-def, no-untyped-call"
"""The simulator's event loop compiled with numba: the same model as ``engine._Run``.

``engine._Run`` is the readable reference (generators, Python lists); this kernel is the same
logic as one nopython function over arrays, with each unit's idle walk as a small state
machine instead of a generator. The tests run both on the same hand-built cases and compare
their traces; the benchmark compares this one with SimPy. ``inc_t`` are the call times
(dispatch starts at the call) and ``order`` the incidents in call order. The patrol's random
choices come from ``uniforms``, drawn beforehand from the run's generator. numba ships no
type stubs: the arguments are the arrays ``engine._run_compiled`` builds, so mypy checks this
module without annotations (the file-level comment above).
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from xunfang._jit import cached_njit

#: the kernels' decorator; Any, as numba's own njit is to mypy (the kernels are untyped)
_njit: Any = cached_njit()

STAND, MOVE, PMOVE, DWELL, RESPOND, SCENE, HANDOVER, OFF = range(8)
D_OFF, D_POST, D_CHECKPOINT, D_GRID, D_ROUTE = range(5)
SERVED = 0
INF = np.inf


@_njit
def _bisect_right(vals, lo, hi, x):
    while lo < hi:
        mid = (lo + hi) // 2
        if x < vals[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@_njit
def _tinc(M, k, a, i, inc_e, inc_x):
    """Minutes of matrix k from point a to incident i's point on its road, by the end of the
    road that gets there sooner (``engine.prepare``; ``engine._Run._to_inc``)."""
    return min(M[k, a, inc_e[i, 0]] + inc_x[k, i, 0], M[k, a, inc_e[i, 1]] + inc_x[k, i, 1])


@_njit
def run_kernel(H, L, P, off, sm, gap, dwell_grid, dwell_route, preemption,
               duty, place, ch_ptr, ch_val, ho_ptr, ho_val, checks,
               mode_i, k_by_hour, M, gp_ptr, gp_val, n_modes, rp_ptr, rp_val, rp_dw,
               home, responder, inc_t, order, inc_p, inc_pt, remaining, status, second,
               uniforms, leg, inc_e, inc_x, made):
    U = duty.shape[0]
    n_inc = inc_t.shape[0]
    # current segment of every unit
    ck = np.full(U, OFF, np.int64)
    ca = np.zeros(U, np.int64)
    cb = np.zeros(U, np.int64)
    c0 = np.zeros(U)
    c1 = np.zeros(U)
    # idle walk state
    pend = np.zeros(U, np.bool_)
    per_on = np.zeros(U, np.bool_)
    per_nb = np.zeros(U)
    per_ho = np.zeros(U, np.bool_)
    per_duty = np.zeros(U, np.int64)
    per_place = np.zeros(U, np.int64)
    per_ridx = np.zeros(U, np.int64)
    per_rmade = np.zeros(U, np.int64)  # a route's points made in its run slot (engine._idle)
    per_rslot = np.full(U, -1, np.int64)
    per_stuck = np.zeros(U, np.int64)
    per_dwell = np.zeros(U, np.bool_)
    per_dwlen = np.zeros(U)  # the stop after the route point being driven to
    ended = np.zeros(U, np.bool_)
    # busy state
    busy = np.zeros(U, np.bool_)
    b_inc = np.full(U, -1, np.int64)
    b_role = np.zeros(U, np.int64)
    b_from = np.zeros(U, np.int64)
    b_to = np.zeros(U, np.int64)
    b_t0 = np.zeros(U)
    b_arr = np.zeros(U)
    b_end = np.zeros(U)
    b_row = np.full(U, -1, np.int64)
    b_since = np.zeros(U)
    version = np.zeros(U, np.int64)
    n_disp = np.zeros(n_inc, np.int64)
    preempted = np.zeros(n_inc, np.int64)
    second_unit = np.full(n_inc, -1, np.int64)
    rem = remaining.copy()
    ui = 0  # next uniform
    # logs
    s_u = [0]
    s_k = [0]
    s_a = [0]
    s_b = [0]
    s_0 = [0.0]
    s_1 = [0.0]
    s_u.pop()
    s_k.pop()
    s_a.pop()
    s_b.pop()
    s_0.pop()
    s_1.pop()
    d_i = [0]
    d_u = [0]
    d_r = [0]
    d_t = [0.0]
    d_arr = [0.0]
    d_clr = [0.0]
    d_tt = [0.0]
    d_pre = [0]
    d_i.pop()
    d_u.pop()
    d_r.pop()
    d_t.pop()
    d_arr.pop()
    d_clr.pop()
    d_tt.pop()
    d_pre.pop()
    heap = [(0.0, 0, 0, 0, 0)]
    heap.pop()
    queue = [(0, 0.0, 0)]
    queue.pop()
    seq = 0

    for ci in range(checks.shape[0]):
        seq += 1
        heapq.heappush(heap, (checks[ci], seq, 1, -1, 0))

    # -- helpers, written inline as nested loops below -------------------------------------
    def kk(u, t):
        return k_by_hour[int((sm + t) // 60.0) % 24, u]

    def duty_at(u, t):
        ps = (int(t // L) + off) % P
        return duty[u, ps], place[u, ps]

    def log_seg(u, k, a, b, t0, t1):
        # a response of no time too (as ``engine._Run._log_seg``): it says where the unit
        # came from
        if t1 > t0 or (k == RESPOND and t1 == t0):
            s_u.append(u)
            s_k.append(k)
            s_a.append(a)
            s_b.append(b)
            s_0.append(t0)
            s_1.append(t1)

    def setseg(u, k, a, b, t0, t1):
        ck[u] = k
        ca[u] = a
        cb[u] = b
        c0[u] = t0
        c1[u] = t1

    def advance(u, t, ui):
        while c1[u] <= t and not ended[u]:
            if c1[u] > c0[u]:
                log_seg(u, ck[u], ca[u], cb[u], c0[u], c1[u])
            ui = _step(u, ui, ck, ca, cb, c0, c1, pend, per_on, per_nb, per_ho, per_duty,
                       per_place, per_ridx, per_rmade, per_rslot, per_stuck, per_dwell,
                       per_dwlen, ended, H, L, P, off, sm, gap,
                       dwell_grid, dwell_route, duty, place, ch_ptr, ch_val, ho_ptr, ho_val,
                       mode_i, k_by_hour, M, gp_ptr, gp_val, n_modes, rp_ptr, rp_val, rp_dw,
                       uniforms, made)
        return ui

    def start_idle(u, t, pos, pending, ui):
        busy[u] = False
        setseg(u, OFF, pos, pos, t, t)
        pend[u] = pending
        per_on[u] = False
        per_dwell[u] = False
        ended[u] = False
        return advance(u, t, ui)

    def tfrom(k, a, b, f, j):
        ta = _tinc(M, k, a, j, inc_e, inc_x)
        if a == b or f <= 0.0:
            return ta
        tb = _tinc(M, k, b, j, inc_e, inc_x)
        if f >= 1.0:
            return tb
        return (1.0 - f) * ta + f * tb

    # -- the loop ----------------------------------------------------------------------------
    for u in range(U):
        ui = start_idle(u, 0.0, home[u], False, ui)
    i = 0
    while True:
        # next thing: an event from the heap or the next incident (events first on ties)
        if len(heap) > 0 and (i >= n_inc or heap[0][0] <= inc_t[order[i]]):
            ev = heapq.heappop(heap)
            t = ev[0]
            typ = ev[2]
            u = ev[3]
            if typ == 0:
                if ev[4] != version[u] or not busy[u]:
                    continue
                # the unit clears the scene
                j = b_inc[u]
                role = b_role[u]
                row = b_row[u]
                log_seg(u, RESPOND, b_from[u], b_to[u], b_t0[u], b_arr[u])
                log_seg(u, SCENE, b_to[u], b_to[u], b_arr[u], t)
                d_clr[row] = t
                if role != 2:
                    rem[j] = 0.0
                scene = b_to[u]
                sent = False
                if len(queue) > 0 and duty_at(u, t)[0] != D_OFF:
                    k = kk(u, t)
                    held = [(0, 0.0, 0)]
                    held.pop()
                    while len(queue) > 0:
                        item = heapq.heappop(queue)
                        jj = item[2]
                        tt = _tinc(M, k, scene, jj, inc_e, inc_x)
                        if tt < INF:
                            tt += leg[jj]  # the last leg on foot, as _Run._dispatch
                            # straight on to the next call from this scene
                            role2 = 1
                            if n_disp[jj] > 0:
                                role2 = 3
                            arr = t + tt
                            end = arr + rem[jj]
                            b_inc[u] = jj
                            b_role[u] = role2
                            b_from[u] = scene
                            b_to[u] = inc_pt[jj]
                            b_t0[u] = t
                            b_arr[u] = arr
                            b_end[u] = end
                            b_row[u] = len(d_i)
                            version[u] += 1
                            seq += 1
                            heapq.heappush(heap, (end, seq, 0, u, version[u]))
                            d_i.append(jj)
                            d_u.append(u)
                            d_r.append(role2)
                            d_t.append(t)
                            d_arr.append(arr)
                            d_clr.append(end)
                            d_tt.append(tt)
                            d_pre.append(0)
                            n_disp[jj] += 1
                            sent = True
                            break
                        held.append(item)
                    for item in held:
                        heapq.heappush(queue, item)
                if sent:
                    continue
                lo, hi = ho_ptr[u], ho_ptr[u + 1]
                pending = (_bisect_right(ho_val, lo, hi, t)
                           > _bisect_right(ho_val, lo, hi, b_since[u]))
                ui = start_idle(u, t, scene, pending, ui)
                if pending and len(queue) > 0 and t + gap < H:
                    seq += 1
                    heapq.heappush(heap, (t + gap, seq, 1, -1, 0))
                continue
            if len(queue) == 0 or t >= H:
                continue
            # a check: serve waiting calls with units newly free
            for v in range(U):
                if responder[v] and not busy[v] and c1[v] <= t:
                    ui = advance(v, t, ui)
            held2 = [(0, 0.0, 0)]
            held2.pop()
            while len(queue) > 0:
                item = heapq.heappop(queue)
                jj = item[2]
                bu, bt = _nearest(t, jj, -1, U, responder, busy, ck, ca, cb, c0, c1,
                                  ended, M, k_by_hour, sm, inc_e, inc_x)
                if bu < 0:
                    held2.append(item)
                    anyfree = False
                    for v in range(U):
                        if responder[v] and not busy[v] and ck[v] < HANDOVER:
                            anyfree = True
                    if not anyfree:
                        break
                    continue
                rl = 1
                if n_disp[jj] > 0:
                    rl = 3
                ui, seq = _send(bu, jj, t, bt + leg[jj], rl, busy, ck, ca, cb,
                                c0, c1, b_inc, b_role, b_from, b_to, b_t0, b_arr, b_end,
                                b_row, b_since, version, n_disp, rem, inc_pt, heap, seq,
                                d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre, s_u, s_k, s_a,
                                s_b, s_0, s_1, ui)
            for item in held2:
                heapq.heappush(queue, item)
            continue
        if i >= n_inc:
            break
        # an incident arrives
        ii = order[i]
        t = inc_t[ii]
        i += 1
        if status[ii] != SERVED:
            continue
        dest = inc_pt[ii]
        for v in range(U):
            if responder[v] and not busy[v] and c1[v] <= t:
                ui = advance(v, t, ui)
        bu, bt = _nearest(t, ii, -1, U, responder, busy, ck, ca, cb, c0, c1, ended, M,
                          k_by_hour, sm, inc_e, inc_x)
        if bu < 0 and preemption:
            best = INF
            for v in range(U):
                if not responder[v] or not busy[v] or inc_p[b_inc[v]] <= inc_p[ii]:
                    continue
                if t < b_arr[v]:
                    span = b_arr[v] - b_t0[v]
                    f = (t - b_t0[v]) / span if span > 0 else 1.0
                    x = tfrom(kk(v, t), b_from[v], b_to[v], f, ii)
                else:
                    x = _tinc(M, kk(v, t), b_to[v], ii, inc_e, inc_x)
                if x < best:
                    best = x
                    bu = v
            bt = best
            if bu >= 0:
                # take bu off its call
                v = bu
                jv = b_inc[v]
                row = b_row[v]
                if t < b_arr[v]:
                    log_seg(v, RESPOND, b_from[v], b_to[v], b_t0[v], t)
                    d_arr[row] = np.nan
                else:
                    log_seg(v, RESPOND, b_from[v], b_to[v], b_t0[v], b_arr[v])
                    log_seg(v, SCENE, b_to[v], b_to[v], b_arr[v], t)
                d_clr[row] = t
                d_pre[row] = 1
                preempted[jv] += 1
                if b_role[v] != 2:
                    if t >= b_arr[v]:
                        rem[jv] = max(0.0, b_end[v] - t)
                    heapq.heappush(queue, (inc_p[jv], inc_t[jv], jv))
                if t < b_arr[v]:
                    span = b_arr[v] - b_t0[v]
                    f = (t - b_t0[v]) / span if span > 0 else 1.0
                    src = b_to[v] if f >= 0.5 else b_from[v]
                else:
                    src = b_to[v]
                # the new call, from where it is
                bt += leg[ii]
                arr = t + bt
                end = arr + rem[ii]
                b_inc[v] = ii
                b_role[v] = 1
                b_from[v] = src
                b_to[v] = dest
                b_t0[v] = t
                b_arr[v] = arr
                b_end[v] = end
                b_row[v] = len(d_i)
                version[v] += 1
                seq += 1
                heapq.heappush(heap, (end, seq, 0, v, version[v]))
                d_i.append(ii)
                d_u.append(v)
                d_r.append(1)
                d_t.append(t)
                d_arr.append(arr)
                d_clr.append(end)
                d_tt.append(bt)
                d_pre.append(0)
                n_disp[ii] += 1
                if second[ii]:
                    b2, t2 = _nearest(t, ii, v, U, responder, busy, ck, ca, cb, c0, c1,
                                      ended, M, k_by_hour, sm, inc_e, inc_x)
                    if b2 >= 0:
                        ui, seq = _send(b2, ii, t, t2 + leg[ii], 2, busy, ck, ca, cb, c0, c1, b_inc,
                                        b_role, b_from, b_to, b_t0, b_arr, b_end, b_row,
                                        b_since, version, n_disp, rem, inc_pt, heap, seq,
                                        d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre, s_u,
                                        s_k, s_a, s_b, s_0, s_1, ui)
                        second_unit[ii] = b2
                continue
        if bu < 0:
            heapq.heappush(queue, (inc_p[ii], t, ii))
            continue
        ui, seq = _send(bu, ii, t, bt + leg[ii], 1, busy, ck, ca, cb, c0, c1, b_inc, b_role, b_from,
                        b_to, b_t0, b_arr, b_end, b_row, b_since, version, n_disp, rem,
                        inc_pt, heap, seq, d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre,
                        s_u, s_k, s_a, s_b, s_0, s_1, ui)
        if second[ii]:
            b2, t2 = _nearest(t, ii, bu, U, responder, busy, ck, ca, cb, c0, c1, ended, M,
                              k_by_hour, sm, inc_e, inc_x)
            if b2 >= 0:
                ui, seq = _send(b2, ii, t, t2 + leg[ii], 2, busy, ck, ca, cb, c0, c1, b_inc, b_role,
                                b_from, b_to, b_t0, b_arr, b_end, b_row, b_since, version,
                                n_disp, rem, inc_pt, heap, seq, d_i, d_u, d_r, d_t, d_arr,
                                d_clr, d_tt, d_pre, s_u, s_k, s_a, s_b, s_0, s_1, ui)
                second_unit[ii] = b2
    # the end: idle units walk to the horizon; their last segment is cut there
    for u in range(U):
        if not busy[u]:
            ui = advance(u, H, ui)
            if c0[u] < H < c1[u]:
                log_seg(u, ck[u], ca[u], cb[u], c0[u], H)
    return (np.array(s_u), np.array(s_k), np.array(s_a), np.array(s_b), np.array(s_0),
            np.array(s_1), np.array(d_i), np.array(d_u), np.array(d_r), np.array(d_t),
            np.array(d_arr), np.array(d_clr), np.array(d_tt), np.array(d_pre),
            second_unit, preempted)


@_njit
def _step(u, ui, ck, ca, cb, c0, c1, pend, per_on, per_nb, per_ho, per_duty, per_place,
          per_ridx, per_rmade, per_rslot, per_stuck, per_dwell, per_dwlen, ended, H, L, P, off,
          sm, gap, dwell_grid,
          dwell_route, duty, place, ch_ptr, ch_val, ho_ptr, ho_val, mode_i, k_by_hour, M,
          gp_ptr, gp_val, n_modes, rp_ptr, rp_val, rp_dw, uniforms, made):
    """The next idle segment of u after the one ending at c1[u]; returns ui. ``made``
    (units × run slots) keeps the points made of each slot's route (``EventLog``)."""
    t = c1[u]
    pos = cb[u]
    if per_on[u] and per_duty[u] == D_ROUTE:  # the segment ended: its route point is made
        per_rmade[u] = per_ridx[u]
        made[u, per_rslot[u]] = per_rmade[u]
    while True:
        if pend[u]:
            pend[u] = False
            if gap > 0:
                _setseg(ck, ca, cb, c0, c1, u, HANDOVER, pos, pos, t, t + gap)
                return ui
        if per_on[u] and per_dwell[u]:
            per_dwell[u] = False
            dw = dwell_grid
            if per_duty[u] == D_ROUTE:
                dw = per_dwlen[u]
            if t < per_nb[u]:  # a stop ends at the duty's change or handover (engine.py)
                _setseg(ck, ca, cb, c0, c1, u, DWELL, pos, pos, t, min(t + dw, per_nb[u]))
                return ui
        if per_on[u] and t >= per_nb[u]:
            per_on[u] = False
            if per_ho[u] and per_nb[u] < H and t < H:
                _setseg(ck, ca, cb, c0, c1, u, HANDOVER, pos, pos, t, t + gap)
                return ui
        if t >= H:
            _setseg(ck, ca, cb, c0, c1, u, OFF, pos, pos, max(t, H), INF)
            ended[u] = True
            return ui
        if not per_on[u]:
            ps = (int(t // L) + off) % P
            d = duty[u, ps]
            pl = place[u, ps]
            i1 = _bisect_right(ch_val, ch_ptr[u], ch_ptr[u + 1], t)
            nc = ch_val[i1] if i1 < ch_ptr[u + 1] else H
            i2 = _bisect_right(ho_val, ho_ptr[u], ho_ptr[u + 1], t)
            nh = ho_val[i2] if i2 < ho_ptr[u + 1] else H
            nb = min(nc, nh, H)
            per_on[u] = True
            per_nb[u] = nb
            per_ho[u] = nb == nh
            per_duty[u] = d
            per_place[u] = pl
            per_stuck[u] = 0
            per_dwell[u] = False
            if d == D_ROUTE:  # the route from its first point not yet made in this run slot
                rs = int(t // L)
                if per_rslot[u] != rs:
                    per_rslot[u] = rs
                    per_rmade[u] = 0
                per_ridx[u] = per_rmade[u]
        d = per_duty[u]
        nb = per_nb[u]
        if d == D_OFF:
            _setseg(ck, ca, cb, c0, c1, u, OFF, pos, pos, t, nb)
            return ui
        if d in (D_POST, D_CHECKPOINT):
            pl = per_place[u]
            if pos != pl:
                tt = M[k_by_hour[int((sm + t) // 60.0) % 24, u], pos, pl]
                if tt < INF:
                    _setseg(ck, ca, cb, c0, c1, u, MOVE, pos, pl, t, t + tt)
                    return ui
            if t < nb:
                _setseg(ck, ca, cb, c0, c1, u, STAND, pos, pos, t, nb)
                return ui
            t = nb  # the period is over: loop to its end
            per_nb[u] = nb
            continue
        # patrol: grid or route
        route = d == D_ROUTE
        if route:
            lo, hi = rp_ptr[per_place[u]], rp_ptr[per_place[u] + 1]
            dwell = dwell_route
        else:
            g = per_place[u] * n_modes + mode_i[u]
            lo, hi = gp_ptr[g], gp_ptr[g + 1]
            dwell = dwell_grid
        n = hi - lo
        if route and per_ridx[u] >= n:  # the route is done: hold (stand) where it is
            _setseg(ck, ca, cb, c0, c1, u, STAND, pos, pos, t, nb)
            return ui
        if n == 0:
            _setseg(ck, ca, cb, c0, c1, u, STAND, pos, pos, t, nb)
            per_nb[u] = nb
            return ui
        if route:
            j = lo + per_ridx[u]
            nxt = rp_val[j]
            dwell = rp_dw[j] if rp_dw[j] >= 0.0 else dwell_route
            per_dwlen[u] = dwell
            per_ridx[u] += 1
        else:
            if ui >= uniforms.shape[0]:
                raise ValueError("the simulator ran out of pre-drawn patrol choices")
            nxt = gp_val[lo + int(uniforms[ui] * n)]
            ui += 1
        tt = 0.0 if nxt == pos else M[k_by_hour[int((sm + t) // 60.0) % 24, u], pos, nxt]
        if route and (tt == INF or tt == 0.0):  # out of reach (skipped) or already there
            per_rmade[u] = per_ridx[u]
            made[u, per_rslot[u]] = per_rmade[u]
            if tt == INF or dwell <= 0.0:
                continue
        elif tt == INF or (tt == 0.0 and dwell <= 0.0):
            per_stuck[u] += 1
            if per_stuck[u] > 4 * n + 4:
                _setseg(ck, ca, cb, c0, c1, u, STAND, pos, pos, t, nb)
                return ui
            continue
        per_stuck[u] = 0
        if tt > 0.0:
            _setseg(ck, ca, cb, c0, c1, u, PMOVE, pos, nxt, t, t + tt)
            per_dwell[u] = dwell > 0.0
            return ui
        _setseg(ck, ca, cb, c0, c1, u, DWELL, pos, pos, t, min(t + dwell, nb))
        return ui



@_njit
def _setseg(ck, ca, cb, c0, c1, u, k, a, b, t0, t1):
    ck[u] = k
    ca[u] = a
    cb[u] = b
    c0[u] = t0
    c1[u] = t1


@_njit
def _nearest(t, i, exclude, U, responder, busy, ck, ca, cb, c0, c1, ended, M,
             k_by_hour, sm, inc_e, inc_x):
    """The free, on-duty responder that reaches incident i soonest (``engine._Run._nearest``)."""
    best = INF
    bu = -1
    h = int((sm + t) // 60.0) % 24
    for u in range(U):
        if not responder[u] or busy[u] or u == exclude or ck[u] >= HANDOVER:
            continue
        k = k_by_hour[h, u]
        a = ca[u]
        b = cb[u]
        tt = _tinc(M, k, a, i, inc_e, inc_x)
        if a != b:
            s0 = c0[u]
            s1 = c1[u]
            f = (t - s0) / (s1 - s0) if s1 > s0 else 1.0
            if f > 0.0:
                tb = _tinc(M, k, b, i, inc_e, inc_x)
                tt = tb if f >= 1.0 else (1.0 - f) * tt + f * tb
        if tt < best:
            best = tt
            bu = u
    return bu, best


@_njit
def _send(u, i, t, tt, role, busy, ck, ca, cb, c0, c1, b_inc, b_role, b_from, b_to,
          b_t0, b_arr, b_end, b_row, b_since, version, n_disp, rem, inc_pt, heap, seq,
          d_i, d_u, d_r, d_t, d_arr, d_clr, d_tt, d_pre, s_u, s_k, s_a, s_b, s_0, s_1, ui):
    """Send idle unit u to incident i: cut its walk at t and start the response."""
    a = ca[u]
    b = cb[u]
    f = 0.0
    if a != b:
        f = (t - c0[u]) / (c1[u] - c0[u]) if c1[u] > c0[u] else 1.0
    if c1[u] > c0[u] and t > c0[u]:
        s_u.append(u)
        s_k.append(ck[u])
        s_a.append(a)
        s_b.append(b)
        s_0.append(c0[u])
        s_1.append(t)
    busy[u] = True
    b_since[u] = t
    src = b if f >= 0.5 else a
    arr = t + tt
    end = arr + rem[i]
    b_inc[u] = i
    b_role[u] = role
    b_from[u] = src
    b_to[u] = inc_pt[i]
    b_t0[u] = t
    b_arr[u] = arr
    b_end[u] = end
    b_row[u] = len(d_i)
    version[u] += 1
    seq += 1
    heapq.heappush(heap, (end, seq, 0, u, version[u]))
    d_i.append(i)
    d_u.append(u)
    d_r.append(role)
    d_t.append(t)
    d_arr.append(arr)
    d_clr.append(end)
    d_tt.append(tt)
    d_pre.append(0)
    n_disp[i] += 1
    return ui, seq


__all__ = ["run_kernel"]
