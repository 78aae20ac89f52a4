"""Charts drawn on the server as inline SVG: no script, no fetched asset, readable when printed."""

from __future__ import annotations

from markupsafe import Markup, escape

# One colour per series, print-safe and distinguishable for common colour blindness (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
           "#999999", "#7F3C8D", "#11A579", "#3969AC")

# The colours the stylesheet gives each polarity.
POLARITY_COLOURS = {"strength": "#1b7f3b", "limitation": "#b3261e", "recommendation": "#8a5a00"}


def bar_chart(rows: list[tuple[str, int]], *, width: int = 560, bar: int = 18, label_width: int = 230,
              title: str = "") -> Markup:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not rows:
        return Markup('<p class="empty">Chưa có số liệu.</p>')
    top = max(value for _, value in rows) or 1
    span = width - label_width - 50
    height = len(rows) * (bar + 6) + 10
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, (label, value) in enumerate(rows):
        y = 5 + index * (bar + 6)
        length = max(1, round(span * value / top)) if value else 0
        shown = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar - 5}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" fill="{PALETTE[0]}">'
            f'<title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_width + length + 4}" y="{y + bar - 5}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(categories: list[str], series: dict[str, list[int]], *, labels: dict[str, str] | None = None,
                    colours: dict[str, str] | None = None, width: int = 760, height: int = 300,
                    title: str = "") -> Markup:
    """Columns per category (x), stacked by series (e.g. one per year), with a legend."""
    if not categories or not series:
        return Markup('<p class="empty">Chưa có số liệu.</p>')
    labels = labels or {}
    colours = colours or {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(series)}
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals) or 1
    left, bottom, legend = 40, 90, 22
    plot_h = height - bottom - legend
    step = (width - left - 10) / len(categories)
    column = max(4, step * 0.7)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for fraction in (0, 0.5, 1):
        y = legend + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{round(top * fraction)}</text>')
    for index, category in enumerate(categories):
        x = left + index * step + (step - column) / 2
        y = legend + plot_h
        for name, values in series.items():
            value = values[index]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                         f'fill="{colours[name]}"><title>{escape(labels.get(category, category))}'
                         f' · {escape(name)}: {value}</title></rect>')
        label = labels.get(category, category)
        shown = label if len(label) <= 22 else label[:21] + "…"
        cx, cy = x + column / 2, legend + plot_h + 8
        parts.append(f'<text transform="translate({cx:.1f},{cy:.1f}) rotate(40)" class="axis">{escape(shown)}</text>')
    for number, name in enumerate(series):
        x = left + number * 70
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colours[name]}"/>'
                     f'<text x="{x + 16}" y="14">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
