"""Tiny SVG chart builders for the self-contained HTML report (no JavaScript, no network)."""

from __future__ import annotations

from html import escape

PALETTE = ["#3b6ea8", "#e07b39", "#5a9e5a", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"]


def hbar(rows: list[tuple[str, float]], *, width: int = 720, unit: str = "", title: str = "") -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return _empty(title)
    bar_h, gap, label_w = 22, 6, 300
    height = len(rows) * (bar_h + gap) + 10
    top = max(v for _, v in rows) or 1
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = (width - label_w - 80) * value / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">{escape(cut(label, 48))}'
            f"</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {value:g}{unit}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="val">{value:g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    categories: list[str],
    series: dict[str, list[float]],
    *,
    width: int = 720,
    height: int = 260,
    title: str = "",
) -> str:
    """Columns per category (e.g. a day), stacked by series (e.g. a source), with a legend."""
    if not categories or not series:
        return _empty(title)
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals) or 1
    parts, plot_w, plot_h = _frame(width, height, title, top, len(series))
    left, top_pad = LEFT, TOP_PAD
    step = plot_w / len(categories)
    col_w = max(2.0, step * 0.8)
    for i, category in enumerate(categories):
        x = left + i * step + (step - col_w) / 2
        y = top_pad + plot_h
        for k, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(category)} · {escape(name)}: '
                    f"{values[i]:g}</title></rect>"
                )
        if len(categories) <= 16 or i % max(1, len(categories) // 8) == 0:
            parts.append(
                f'<text x="{x + col_w / 2:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                f'class="val">{escape(category)}</text>'
            )
    parts.append(_legend(list(series), height))
    parts.append("</svg>")
    return "".join(parts)


def lines(
    categories: list[str],
    series: dict[str, list[float]],
    *,
    width: int = 720,
    height: int = 260,
    title: str = "",
) -> str:
    """One line per series over the categories (e.g. an entity's mentions per month)."""
    if len(categories) < 1 or not series:
        return _empty(title)
    top = max(max(v) for v in series.values()) or 1
    parts, plot_w, plot_h = _frame(width, height, title, top, len(series))
    left, top_pad = LEFT, TOP_PAD
    step = plot_w / max(1, len(categories) - 1)
    for k, (name, values) in enumerate(series.items()):
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + plot_h - plot_h * v / top:.1f}" for i, v in enumerate(values)
        )
        color = PALETTE[k % len(PALETTE)]
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2">'
            f"<title>{escape(name)}</title></polyline>"
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{left + i * step:.1f}" cy="{top_pad + plot_h - plot_h * v / top:.1f}" r="3" '
                f'fill="{color}"><title>{escape(name)} {escape(categories[i])}: {v:g}</title></circle>'
            )
    for i, category in enumerate(categories):
        if len(categories) <= 12 or i % max(1, len(categories) // 6) == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                f'class="val">{escape(category)}</text>'
            )
    parts.append(_legend(list(series), height))
    parts.append("</svg>")
    return "".join(parts)


LEFT, BOTTOM, TOP_PAD = 40, 40, 10


def _frame(
    width: int, height: int, title: str, top: float, legend_items: int
) -> tuple[list[str], float, float]:
    """Open an SVG with room for the legend, draw the x axis and the top value; return the plot size."""
    plot_w, plot_h = width - LEFT - 10, height - BOTTOM - TOP_PAD
    parts = [_open(width, height + 22 * ((legend_items + 3) // 4), title)]
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP_PAD + plot_h}" x2="{width - 10}" y2="{TOP_PAD + plot_h}" class="axis"/>'
    )
    parts.append(f'<text x="{LEFT - 6}" y="{TOP_PAD + 10}" text-anchor="end" class="val">{top:g}</text>')
    return parts, plot_w, plot_h


def _legend(names: list[str], y0: int) -> str:
    items = []
    for k, name in enumerate(names):
        x, y = 40 + (k % 4) * 170, y0 + 4 + (k // 4) * 22
        items.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="{y + 11}" class="val">{escape(cut(name, 22))}</text>'
        )
    return "".join(items)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    )


def _empty(title: str) -> str:
    return f'<p class="empty">No data for “{escape(title)}” yet.</p>'


def cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
