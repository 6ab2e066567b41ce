"""Small SVG charts drawn on the server: no chart library, no script, works offline and
prints. Colours come from CSS classes (the CSP forbids inline styles); every label is
escaped, since field and counter names are typed by staff."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from surveys.stats import Figure

WIDTH = 640
LABEL_W = 250
ROW_H = 34


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%".replace(".", ",")


def target_bars(rows: Sequence[tuple[str, Figure]], title: str) -> Markup:
    """One horizontal bar per indicator: the rate, its 95% interval and the target line."""
    height = ROW_H * len(rows) + 34
    plot = WIDTH - LABEL_W - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]

    def x(v: float) -> float:
        return LABEL_W + plot * v

    for tick in (0, 0.5, 0.9, 1.0):
        parts.append(
            f'<line class="axis" x1="{x(tick):.1f}" y1="4" x2="{x(tick):.1f}" '
            f'y2="{height - 24}" stroke-width="0.5"/>'
            f'<text x="{x(tick):.1f}" y="{height - 8}" text-anchor="middle">'
            f"{int(tick * 100)}%</text>"
        )
    for i, (label, figure) in enumerate(rows):
        top = 6 + i * ROW_H
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(f'<text x="0" y="{top + 17}">{escape(short)}</text>')
        rate = figure.rate
        if rate is not None:
            parts.append(
                f'<rect class="bar-{figure.verdict}" x="{LABEL_W}" y="{top + 4}" '
                f'width="{max(1.0, plot * rate):.1f}" height="18"><title>{escape(label)}: '
                f"{_pct(rate)} ({figure.answers} phiếu)</title></rect>"
            )
            interval = figure.interval
            if interval is not None:
                parts.append(
                    f'<line class="ci" x1="{x(interval[0]):.1f}" y1="{top + 13}" '
                    f'x2="{x(interval[1]):.1f}" y2="{top + 13}"/>'
                )
            parts.append(f'<text x="{WIDTH - 56}" y="{top + 17}">{_pct(rate)}</text>')
        else:
            parts.append(f'<text x="{LABEL_W + 4}" y="{top + 17}">chưa có phiếu</text>')
        if figure.target is not None:
            parts.append(
                f'<line class="target" x1="{x(figure.target):.1f}" y1="{top + 1}" '
                f'x2="{x(figure.target):.1f}" y2="{top + 25}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped


def month_trend(months: Sequence[tuple[str, Figure]], target: float | None, title: str) -> Markup:
    """The monthly satisfaction rate as a line with its answer counts, and the target."""
    height, left, bottom, top = 220, 44, 40, 12
    plot_w, plot_h = WIDTH - left - 12, height - bottom - top
    step = plot_w / max(1, len(months))

    def y(v: float) -> float:
        lowest = 0.5
        return top + plot_h * (1 - (max(v, lowest) - lowest) / (1 - lowest))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0.5, 0.75, 0.9, 1.0):
        parts.append(
            f'<line class="axis" x1="{left}" y1="{y(tick):.1f}" x2="{WIDTH - 12}" '
            f'y2="{y(tick):.1f}" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{int(tick * 100)}%</text>"
        )
    if target is not None:
        parts.append(
            f'<line class="target" x1="{left}" y1="{y(target):.1f}" x2="{WIDTH - 12}" '
            f'y2="{y(target):.1f}"/>'
        )
    points = []
    for i, (label, figure) in enumerate(months):
        cx = left + step * (i + 0.5)
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 22}" text-anchor="middle">{escape(label[-2:])}</text>'
            f'<text x="{cx:.1f}" y="{height - 6}" text-anchor="middle" class="muted">'
            f"{figure.answers}</text>"
        )
        if figure.rate is not None:
            cy = y(figure.rate)
            points.append(f"{cx:.1f},{cy:.1f}")
            parts.append(
                f'<circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="4"><title>{escape(label)}: '
                f"{_pct(figure.rate)} ({figure.answers} phiếu)</title></circle>"
            )
    if len(points) > 1:
        parts.insert(3, f'<polyline class="line" points="{" ".join(points)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
