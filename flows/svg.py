"""Tiny SVG chart builders for the self-contained HTML report (no JavaScript, no network)."""

from __future__ import annotations

from html import escape

PALETTE = ["#3b6ea8", "#e07b39", "#5a9e5a", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"]


def hbar(rows: list[tuple[str, float]], *, width: int = 720, unit: str = "", title: str = "") -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return _empty(title)
    bar_h, gap = 22, 6
    # room for the longest label, up to 45 % of the chart; longer labels are cut with "…"
    # (the bar's tooltip has them whole)
    label_w = min(max(_text_width(label) for label, _ in rows) + 12, width * 0.45)
    chars = int((label_w - 12) / CHAR_W)
    height = len(rows) * (bar_h + gap) + 10
    top = max(v for _, v in rows) or 1
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = (width - label_w - 80) * value / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">{escape(cut(label, chars))}'
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
    ticks: list[int] | None = None,
) -> str:
    """Columns per category (e.g. a day), stacked by series (e.g. a source), with a legend.
    ``ticks``: the categories to label (default: all up to 16, else every len/8-th)."""
    if not categories or not series:
        return _empty(title)
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals) or 1
    parts, plot_w, plot_h, left = _frame(width, height, title, top, len(series))
    top_pad = TOP_PAD
    step = plot_w / len(categories)
    if ticks is None:
        ticks = [
            i
            for i in range(len(categories))
            if len(categories) <= 16 or i % max(1, len(categories) // 8) == 0
        ]
    labelled = set(ticks)
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
        if i in labelled:
            parts.append(_tick(x + col_w / 2, top_pad + plot_h + 16, category, width))
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
    ticks: list[int] | None = None,
) -> str:
    """One line per series over the categories (e.g. an entity's mentions per month).
    ``ticks``: the categories to label (default: all up to 12, else every len/6-th)."""
    if len(categories) < 1 or not series:
        return _empty(title)
    top = max(max(v) for v in series.values()) or 1
    parts, plot_w, plot_h, left = _frame(width, height, title, top, len(series))
    top_pad = TOP_PAD
    if ticks is None:
        ticks = [
            i
            for i in range(len(categories))
            if len(categories) <= 12 or i % max(1, len(categories) // 6) == 0
        ]
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
    for i in ticks:
        parts.append(_tick(left + i * step, top_pad + plot_h + 16, categories[i], width))
    parts.append(_legend(list(series), height))
    parts.append("</svg>")
    return "".join(parts)


def timeline(
    lanes: dict[str, list[tuple[float, str, bool]]],
    ticks: list[tuple[float, str]],
    *,
    width: int = 720,
    title: str = "",
) -> str:
    """One lane per name (e.g. an outlet), a dot per item at its place on a time axis.

    ``lanes`` maps a name to (position from 0 to 1 along the axis, tooltip, filled) per item;
    an unfilled dot is a copy. ``ticks`` are (position, label) on the axis."""
    if not lanes:
        return _empty(title)
    lane_h = 22
    label_w = min(max(_text_width(cut(n, 28)) for n in lanes) + 12, 220)
    left, plot_w = label_w, width - label_w - 2 * RIGHT
    axis_y = 6 + lane_h * len(lanes)
    parts = [_open(width, axis_y + 26, title)]
    for k, (name, items) in enumerate(lanes.items()):
        y = 6 + lane_h * k + lane_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" class="lbl">{escape(cut(name, 28))}'
            f"<title>{escape(name)}</title></text>"
        )
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#e3e6ea"/>')
        color = PALETTE[k % len(PALETTE)]
        for position, tip, filled in items:
            fill = color if filled else "#fff"
            parts.append(
                f'<circle cx="{left + plot_w * position:.1f}" cy="{y}" r="5" fill="{fill}" stroke="{color}" '
                f'stroke-width="2"><title>{escape(tip)}</title></circle>'
            )
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" class="axis"/>')
    for position, text in ticks:
        parts.append(_tick(left + plot_w * position, axis_y + 16, text, width))
    parts.append("</svg>")
    return "".join(parts)


BOTTOM, TOP_PAD, RIGHT = 40, 10, 10
CHAR_W = 7.0  # an upper bound of the width of one character of the 11-12px labels, in px


def _text_width(text: str) -> float:
    return len(text) * CHAR_W


def _tick(x: float, y: float, text: str, width: int) -> str:
    """An axis label centred on ``x``, or pinned to an edge it would cross (never clipped)."""
    half = _text_width(text) / 2
    anchor = "middle"
    if x - half < 2:
        anchor, x = "start", max(x - 4, 2)
    elif x + half > width - 2:
        anchor, x = "end", min(x + 4, width - 2)
    return f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" class="val tick">{escape(text)}</text>'


def _frame(
    width: int, height: int, title: str, top: float, legend_items: int
) -> tuple[list[str], float, float, float]:
    """Open an SVG with room for the legend, draw the x axis and the top value; return the plot
    size and its left edge (wide enough for the top value's label)."""
    left = max(40.0, _text_width(f"{top:g}") + 12)
    plot_w, plot_h = width - left - RIGHT, height - BOTTOM - TOP_PAD
    parts = [_open(width, height + 22 * ((legend_items + 3) // 4), title)]
    parts.append(
        f'<line x1="{left}" y1="{TOP_PAD + plot_h}" x2="{width - RIGHT}" y2="{TOP_PAD + plot_h}" '
        'class="axis"/>'
    )
    parts.append(f'<text x="{left - 6}" y="{TOP_PAD + 10}" text-anchor="end" class="val">{top:g}</text>')
    parts.append(f'<text x="{left - 6}" y="{TOP_PAD + plot_h}" text-anchor="end" class="val">0</text>')
    return parts, plot_w, plot_h, left


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
