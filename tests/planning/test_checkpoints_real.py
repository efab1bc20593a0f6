"""The checkpoint game on real risk: 148,636 aggravated assaults in Chicago (2010-2019),
counted by police district and hour of day (``../shared/data``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xunfang.planning.checkpoints import (
    check_sse,
    comb_sample,
    make_game,
    solve_dobss,
    solve_origami,
)
from xunfang.planning.checkpoints.sample import empirical

TEAMS = 4


@pytest.fixture(scope="module")
def counts(data_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    df = pd.read_csv(data_dir / "chicago_aggravated_assaults.csv.gz")
    df = df.dropna(subset=["district"])
    df["hour"] = pd.to_datetime(df["date"]).dt.hour
    df["street"] = df["loc_cat"] == "street"
    districts = sorted(df["district"].astype(int).unique().tolist())
    idx = {d: i for i, d in enumerate(districts)}
    out = np.zeros((2, len(districts), 24))
    for (d, h, s), n in df.groupby([df["district"].astype(int), "hour", "street"]).size().items():
        out[0 if s else 1, idx[d], h] += n
    return [str(d) for d in districts], out[0], out[1]


def origami_numpy(uu: np.ndarray, span: np.ndarray, teams: int) -> float:
    """The smallest v with Σ_i max(0, (U^u - v) / span) ≤ teams in every slot (bisection)."""
    a, b = float((uu - span).max()), float(uu.max())
    for _ in range(200):
        mid = 0.5 * (a + b)
        if (np.maximum(0.0, (uu - mid) / span).sum(axis=0) <= teams).all():
            b = mid
        else:
            a = mid
    return b


def test_one_type_on_real_risk(counts) -> None:  # type: ignore[no-untyped-def]
    sites, street, other = counts
    risk = street + other + 1.0  # plus one: district 31 has none, a zero payoff is degenerate
    uu = 10 * risk / risk.max()
    g = make_game(sites, [f"{h:02d}:00" for h in range(24)], att_uncovered=uu,
                  att_covered=-5.0, def_uncovered=-uu, def_covered=0.0, teams=TEAMS)
    sol = solve_origami(g)
    assert check_sse(g, sol.coverage, claimed=sol.defender_value, bound=sol.bound).ok
    assert float(sol.minimax[0]) == pytest.approx(origami_numpy(uu, uu + 5.0, TEAMS), abs=1e-7)
    c = sol.coverage.reshape(len(sites), 24)
    assert (c.sum(axis=0) <= TEAMS + 1e-7).all()
    # with one penalty for all, a riskier district is never checked less in the same hour
    for h in range(24):
        order = np.argsort(risk[:, h])
        assert (np.diff(c[order, h]) >= -1e-7).all()
    # without side constraints the SSE is a minimax strategy (Korzhyk et al. 2011): the
    # attacker gets exactly v*
    assert float(sol.attacker_values[0]) == pytest.approx(float(sol.minimax[0]), abs=1e-7)
    checked = comb_sample(g, sol.coverage, 10_000, seed=0)
    assert np.abs(empirical(checked) - sol.coverage).max() <= 0.005


def test_two_types_on_real_risk(counts) -> None:  # type: ignore[no-untyped-def]
    """Street and indoor assaults as two attacker types, weighted by their shares: DOBSS is
    at least as good for the defender as the SSE against either type alone, evaluated in the
    Bayesian game."""
    sites, street, other = counts
    p = np.array([street.sum(), other.sum()]) / (street.sum() + other.sum())
    uu = np.stack([10 * (street + 1) / (street.max() + 1), 10 * (other + 1) / (other.max() + 1)])
    g = make_game(sites, [f"{h:02d}:00" for h in range(0, 24, 4)][:6],
                  type_names=["street", "indoor"], prob=p,
                  att_uncovered=uu[:, :, ::4], att_covered=-5.0,
                  def_uncovered=-uu[:, :, ::4] * np.array([2.0, 1.0])[:, None, None],
                  def_covered=0.0, teams=TEAMS)
    d = solve_dobss(g)
    assert check_sse(g, d.coverage, claimed=d.defender_value, bound=d.bound).ok
    for k in range(2):
        alone = solve_origami(g, k=k)
        assert d.defender_value >= check_sse(g, alone.coverage).defender_value - 1e-7
