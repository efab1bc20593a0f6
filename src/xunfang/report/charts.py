"""Small inline SVG charts for the report: bars and lines, no scripts, nothing fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

SERIES_COLOURS = ("#08519c", "#e6550d", "#31a354", "#756bb1", "#636363")


def bar_chart(series: Mapping[str, Sequence[float]], labels: Sequence[str], *,
              width: float = 640, height: float = 200, y_label: str = "") -> str:
    """Grouped bars: one group per label, one bar per series."""
    n = len(labels)
    if not n or not series:
        return ""
    top = max((max(v, default=0.0) for v in series.values()), default=0.0) or 1.0
    left, bottom, pad = 40.0, 28.0, 8.0
    plot_w, plot_h = width - left - pad, height - bottom - pad
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
    step = max(1, n // 12)
    for i in range(0, n, step):
        x = left + (i + 0.5) * group
        out.append(f'<text x="{x:.1f}" y="{height - 12:.1f}" class="tick" '
                   f'text-anchor="middle">{escape(labels[i])}</text>')
    out += _legend(list(series), left, height - 2)
    out.append("</svg>")
    return "".join(out)


def line_chart(series: Mapping[str, Sequence[float | None]], labels: Sequence[str], *,
               width: float = 640, height: float = 200, top: float | None = None,
               y_label: str = "") -> str:
    """Lines over the labels; ``None`` leaves a gap."""
    n = len(labels)
    if not n or not series:
        return ""
    top = top or max((max((v for v in vs if v is not None), default=0.0)
                      for vs in series.values()), default=0.0) or 1.0
    left, bottom, pad = 40.0, 28.0, 8.0
    plot_w, plot_h = width - left - pad, height - bottom - pad
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
    step = max(1, n // 12)
    for i in range(0, n, step):
        out.append(f'<text x="{left + i * dx:.1f}" y="{height - 12:.1f}" class="tick" '
                   f'text-anchor="middle">{escape(labels[i])}</text>')
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


def _legend(names: list[str], left: float, y: float) -> list[str]:
    out = []
    x = left
    for s, name in enumerate(names):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        out.append(f'<rect x="{x:.0f}" y="{y - 8:.0f}" width="8" height="8" fill="{colour}"/>'
                   f'<text x="{x + 11:.0f}" y="{y:.0f}" class="tick">{escape(name)}</text>')
        x += 18 + sum(11 if ord(ch) > 0x2E80 else 6 for ch in name)
    return out
