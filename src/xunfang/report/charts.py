"""Small inline SVG charts for the report: bars and lines, no scripts, nothing fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

SERIES_COLOURS = ("#08519c", "#e6550d", "#31a354", "#756bb1", "#636363")
#: the ticks' font size (CSS .tick) in the charts' own pixels
TICK_PX = 10.0
#: label every k-th point, k the first of these whose spacing holds the widest label
TICK_STEPS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 96, 168)


def text_width(text: str, size: float = TICK_PX) -> float:
    """About how wide ``text`` is drawn at font ``size``: a CJK character a full em, others
    0.6 em (digits and ':' of the ticks' sans-serif are narrower still)."""
    return sum(size if ord(ch) > 0x2E80 else 0.6 * size for ch in text)


def tick_step(labels: Sequence[str], spacing: float) -> int:
    """How many points apart the x labels go so that none overlaps the next: the widest
    label and a gap of 4 px fit in the step (a review: 13 hours' labels, 45 px apart,
    were drawn 27 px apart at every 1st and read "22:0")."""
    need = max((text_width(x) for x in labels), default=0.0) + 4.0
    for k in TICK_STEPS:
        if k * spacing >= need:
            return k
    return max(1, len(labels))


def _right_pad(labels: Sequence[str], last_x_from_end: float) -> float:
    """The right margin that holds the last label centred on its point (it was cut at the
    edge: "22:0")."""
    return max(8.0, text_width(labels[-1]) / 2 + 2 - last_x_from_end) if labels else 8.0


def bar_chart(series: Mapping[str, Sequence[float]], labels: Sequence[str], *,
              width: float = 640, height: float = 200, y_label: str = "",
              x_label: str = "", edges: bool = False) -> str:
    """Grouped bars: one group per label, one bar per series. ``edges``: a histogram, its
    labels the bins' edges (one more than the bars), each drawn at its edge, and the bars
    end at the last bin any series fills (a review: the response times' axis ran to 14 min,
    the data ending at 3.5)."""
    if edges and series:
        if len(labels) != len(next(iter(series.values()))) + 1:
            raise ValueError(f"bar_chart(edges=True): {len(labels)} edge labels for "
                             f"{len(next(iter(series.values())))} bins; give one more")
        filled = [i for vs in series.values() for i, v in enumerate(vs) if v > 0]
        keep = max(filled, default=0) + 1
        labels = labels[:keep + 1]
        series = {k: list(v)[:keep] for k, v in series.items()}
    n = len(labels) - 1 if edges else len(labels)
    if n < 1 or not series:
        return ""
    top = max((max(v, default=0.0) for v in series.values()), default=0.0) or 1.0
    left, bottom, pad = 40.0, 28.0, 8.0
    group0 = (width - left - pad) / n
    right = _right_pad(labels, 0.0 if edges else group0 / 2)
    plot_w, plot_h = width - left - right, height - bottom - pad
    group = plot_w / n
    bar = group * 0.8 / len(series)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           'class="chart" role="img">']
    out += _axes(left, pad, plot_w, plot_h, top, y_label)
    for s, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        for i, v in enumerate(values):
            h = plot_h * v / top
            x = left + i * group + group * 0.1 + s * bar
            out.append(f'<rect x="{x:.1f}" y="{pad + plot_h - h:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} '
                       f'{escape(labels[i])}: {v:.3g}</title></rect>')
    step = tick_step(labels, group)
    for i in range(0, len(labels), step):
        x = left + (i if edges else i + 0.5) * group
        out.append(f'<text x="{x:.1f}" y="{height - 12:.1f}" class="tick" '
                   f'text-anchor="middle">{escape(labels[i])}</text>')
    out += _x_label(x_label, width, height)
    out += _legend(list(series), left, height - 2)
    out.append("</svg>")
    return "".join(out)


def line_chart(series: Mapping[str, Sequence[float | None]], labels: Sequence[str], *,
               width: float = 640, height: float = 200, top: float | None = None,
               y_label: str = "", x_label: str = "") -> str:
    """Lines over the labels, evenly apart; ``None`` leaves a gap (give every hour a label
    and ``None`` where there is nothing, so that the hours stand evenly apart)."""
    n = len(labels)
    if not n or not series:
        return ""
    top = top or max((max((v for v in vs if v is not None), default=0.0)
                      for vs in series.values()), default=0.0) or 1.0
    left, bottom, pad = 40.0, 28.0, 8.0
    right = _right_pad(labels, 0.0)
    plot_w, plot_h = width - left - right, height - bottom - pad
    dx = plot_w / max(n - 1, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           'class="chart" role="img">']
    out += _axes(left, pad, plot_w, plot_h, top, y_label)
    for s, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        d = []
        pen = "M"
        for i, v in enumerate(values):
            if v is None:
                pen = "M"
                continue
            d.append(f"{pen}{left + i * dx:.1f} {pad + plot_h * (1 - v / top):.1f}")
            pen = "L"
            out.append(f'<circle cx="{left + i * dx:.1f}" cy="{pad + plot_h * (1 - v / top):.1f}"'
                       f' r="2" fill="{colour}"><title>{escape(name)} {escape(labels[i])}: '
                       f'{v:.3g}</title></circle>')
        out.append(f'<path d="{"".join(d)}" stroke="{colour}" fill="none" stroke-width="1.6"/>')
    step = tick_step(labels, dx)
    for i in range(0, n, step):
        out.append(f'<text x="{left + i * dx:.1f}" y="{height - 12:.1f}" class="tick" '
                   f'text-anchor="middle">{escape(labels[i])}</text>')
    out += _x_label(x_label, width, height)
    out += _legend(list(series), left, height - 2)
    out.append("</svg>")
    return "".join(out)


def _axes(left: float, pad: float, w: float, h: float, top: float, y_label: str) -> list[str]:
    out = [f'<line x1="{left}" y1="{pad + h}" x2="{left + w}" y2="{pad + h}" stroke="#999"/>',
           f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{pad + h}" stroke="#999"/>']
    for frac in (0.0, 0.5, 1.0):
        y = pad + h * (1 - frac)
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">'
                   f"{top * frac:.3g}</text>")
    if y_label:
        out.append(f'<text x="{left + 8}" y="{pad + 10}" class="tick">{escape(y_label)}</text>')
    return out


def _x_label(x_label: str, width: float, height: float) -> list[str]:
    """The x axis's unit at the right end of the legend's line."""
    if not x_label:
        return []
    return [f'<text x="{width - 4:.0f}" y="{height - 2:.0f}" class="tick" '
            f'text-anchor="end">{escape(x_label)}</text>']


def _legend(names: list[str], left: float, y: float) -> list[str]:
    out = []
    x = left
    for s, name in enumerate(names):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        out.append(f'<rect x="{x:.0f}" y="{y - 8:.0f}" width="8" height="8" fill="{colour}"/>'
                   f'<text x="{x + 11:.0f}" y="{y:.0f}" class="tick">{escape(name)}</text>')
        x += 18 + sum(11 if ord(ch) > 0x2E80 else 6 for ch in name)
    return out
