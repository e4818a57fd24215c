"""Charts as inline SVG built on the server: data in, escaped markup out.

No script and no ``style`` (the Content-Security-Policy forbids inline styles):
colours come from classes in style.css, geometry from presentation attributes.
Every chart is one ``role="img"`` with a title and a description; the page puts
the same figures in a table below it as the text alternative.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 720
PLOT_HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
SLOTS = 8  # distinct colours and marker shapes, see style.css
CHAR_WIDTH = 7.4  # rough width of a character at the charts' font size
DASH = "7 4"


@dataclass(frozen=True)
class Series:
    """One line: a value (or None, a gap) per category, drawn in a colour slot."""

    label: str
    values: Sequence[float | None]
    slot: int = 0
    dashed: bool = False


@dataclass(frozen=True)
class LegendEntry:
    """One legend item: a line sample, with the slot's marker unless ``slot`` is None."""

    label: str
    slot: int | None = None
    dashed: bool = False


@dataclass(frozen=True)
class Bar:
    """One bar; ``tone`` "alert" marks a bar that stands for a problem (say so in the label too)."""

    label: str
    value: float
    tone: str = "normal"


def german_number(value: float) -> str:
    """A number as German text: "3", "2,5"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").replace(".", ",")


def nice_ticks(top: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values from 0 up to at least ``top`` (1, 2, 2.5 or 5 times a power of ten).

    ``whole``: only whole numbers (for counts).
    """
    if top <= 0:
        return [0.0, 1.0]
    raw = max(top / count, 1) if whole else top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(f * magnitude for f in factors if raw <= f * magnitude)
    return [round(i * step, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]


def _f(number: float) -> str:
    """A coordinate, short."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, desc: str, height: float, css: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        'viewBox="0 0 {w} {h}" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(css=css, w=WIDTH, h=_f(height), id=chart_id, title=title, desc=desc)


def _y_axis(ticks: list[float], y_label: str, fmt: Callable[[float], str]) -> Markup:
    """Grid lines with their values, and the axis title turned upright."""
    parts = []
    for tick in ticks:
        y = _y(tick, ticks[-1])
        parts.append(
            Markup(
                '<line class="chart__grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>'
                '<text class="chart__tick" x="{tx}" y="{ty}" text-anchor="end">{label}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=_f(y), tx=LEFT - 6, ty=_f(y + 4), label=fmt(tick))
        )
    middle = TOP + PLOT_HEIGHT / 2
    parts.append(
        Markup(
            '<text class="chart__axis-title" x="14" y="{y}" text-anchor="middle" '
            'transform="rotate(-90 14 {y})">{label}</text>'
        ).format(y=_f(middle), label=y_label)
    )
    return Markup("").join(parts)


def _y(value: float, top: float) -> float:
    return TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT


def _x_positions(count: int) -> list[float]:
    width = WIDTH - LEFT - RIGHT
    if count <= 1:
        return [LEFT + width / 2] * count
    inset = 16
    return [LEFT + inset + i * (width - 2 * inset) / (count - 1) for i in range(count)]


def _x_labels(categories: Sequence[str], xs: list[float]) -> Markup:
    """Category labels under the plot; every n-th only, when they would overlap."""
    longest = max((len(c) for c in categories), default=1)
    room = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    every = max(1, math.ceil((longest * CHAR_WIDTH + 8) / room))
    base = TOP + PLOT_HEIGHT
    return Markup("").join(
        Markup(
            '<line class="chart__axis" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}"/>'
            '<text class="chart__tick" x="{x}" y="{ty}" text-anchor="middle">{label}</text>'
        ).format(x=_f(x), y1=base, y2=base + 4, ty=base + 18, label=category)
        for index, (category, x) in enumerate(zip(categories, xs, strict=True))
        if index % every == 0
    )


def marker(slot: int, x: float, y: float, tip: str = "") -> Markup:
    """The slot's marker shape at (x, y): circle, square, triangle, diamond, ..."""
    shape = slot % SLOTS
    css = f"chart__marker chart__s{shape}"
    title = Markup("<title>{}</title>").format(tip) if tip else Markup("")
    if shape in (0, 4):
        return Markup('<circle class="{c}" cx="{x}" cy="{y}" r="{r}">{t}</circle>').format(
            c=css, x=_f(x), y=_f(y), r=4.5 if shape == 0 else 3, t=title
        )
    if shape in (1, 5):
        size = 8 if shape == 1 else 6
        return Markup(
            '<rect class="{c}" x="{x}" y="{y}" width="{s}" height="{s}">{t}</rect>'
        ).format(c=css, x=_f(x - size / 2), y=_f(y - size / 2), s=size, t=title)
    offsets = {
        2: ((0, -5.5), (5, 4), (-5, 4)),
        3: ((0, -6), (6, 0), (0, 6), (-6, 0)),
        6: ((0, 5.5), (5, -4), (-5, -4)),
        7: ((-4, -4), (4, -4), (4, 4), (-4, 4)),
    }[shape]
    points = " ".join(f"{_f(x + dx)},{_f(y + dy)}" for dx, dy in offsets)
    return Markup('<polygon class="{c}" points="{p}">{t}</polygon>').format(
        c=css + (" chart__marker--open" if shape == 7 else ""), p=points, t=title
    )


def _segments(values: Sequence[float | None], xs: list[float], top: float):
    """Runs of consecutive values as point lists; a None breaks the line."""
    run: list[tuple[float, float]] = []
    for value, x in zip(values, xs, strict=True):
        if value is None:
            if run:
                yield run
            run = []
        else:
            run.append((x, _y(value, top)))
    if run:
        yield run


def _series(series: Series, categories, xs, top, fmt) -> Markup:
    parts = []
    dash = Markup(' stroke-dasharray="{}"').format(DASH) if series.dashed else Markup("")
    for run in _segments(series.values, xs, top):
        if len(run) > 1:
            points = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
            parts.append(
                Markup('<polyline class="chart__line chart__s{s}" points="{p}"{d}/>').format(
                    s=series.slot % SLOTS, p=points, d=dash
                )
            )
    for value, x, category in zip(series.values, xs, categories, strict=True):
        if value is not None:
            tip = f"{series.label}, {category}: {fmt(value)}"
            parts.append(marker(series.slot, x, _y(value, top), tip))
    return Markup('<g class="chart__series">{}</g>').format(Markup("").join(parts))


def _legend(entries: Sequence[LegendEntry], top: float) -> tuple[Markup, float]:
    """Legend items in rows under the plot; returns the markup and the height it takes."""
    parts, x, y, row_height = [], float(LEFT), top + 14, 22
    for entry in entries:
        width = 34 + len(entry.label) * CHAR_WIDTH + 18
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + row_height
        slot = "chart__legend-neutral" if entry.slot is None else f"chart__s{entry.slot % SLOTS}"
        dash = Markup(' stroke-dasharray="{}"').format(DASH) if entry.dashed else Markup("")
        parts.append(
            Markup(
                '<line class="chart__line {c}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"{d}/>'
            ).format(c=slot, x1=_f(x), x2=_f(x + 28), y=_f(y), d=dash)
        )
        if entry.slot is not None:
            parts.append(marker(entry.slot, x + 14, y))
        parts.append(
            Markup('<text class="chart__legend" x="{x}" y="{y}">{label}</text>').format(
                x=_f(x + 34), y=_f(y + 4), label=entry.label
            )
        )
        x += width
    height = y - top + row_height if entries else 0
    return Markup('<g class="chart__legend-items">{}</g>').format(Markup("").join(parts)), height


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_label: str,
    legend: Sequence[LegendEntry] = (),
    fmt: Callable[[float], str] = german_number,
) -> Markup:
    """Lines over categories (e.g. weeks), with gaps where a value is missing."""
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(values, default=0))
    xs = _x_positions(len(categories))
    legend_markup, legend_height = _legend(legend, TOP + PLOT_HEIGHT + BOTTOM)
    height = TOP + PLOT_HEIGHT + BOTTOM + legend_height
    body = Markup("").join(_series(s, categories, xs, ticks[-1], fmt) for s in series)
    return (
        _open(chart_id, title, desc, height, "chart--lines")
        + _y_axis(ticks, y_label, german_number)
        + _x_labels(categories, xs)
        + body
        + legend_markup
        + Markup("</svg>")
    )


def _wrap(text: str, width: float) -> list[str]:
    """Words into lines that fit ``width`` (roughly), for labels under bars."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width / CHAR_WIDTH:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_label: str,
    fmt: Callable[[float], str] = german_number,
) -> Markup:
    """Vertical bars with their value above and their label (wrapped) below."""
    ticks = nice_ticks(max((b.value for b in bars), default=0), whole=True)
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    labels = [_wrap(b.label, slot - 8) for b in bars]
    height = TOP + PLOT_HEIGHT + 12 + 16 * max((len(lines) for lines in labels), default=1) + 8
    parts = []
    base = TOP + PLOT_HEIGHT
    for index, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        x = LEFT + index * slot + slot * 0.2
        y = _y(bar.value, ticks[-1])
        middle = LEFT + index * slot + slot / 2
        parts.append(
            Markup(
                '<rect class="chart__bar chart__bar--{tone}" x="{x}" y="{y}" width="{w}" '
                'height="{h}"><title>{label}: {value}</title></rect>'
                '<text class="chart__value" x="{m}" y="{vy}" text-anchor="middle">{value}</text>'
            ).format(
                tone=bar.tone,
                x=_f(x),
                y=_f(y),
                w=_f(slot * 0.6),
                h=_f(base - y),
                label=bar.label,
                value=fmt(bar.value),
                m=_f(middle),
                vy=_f(y - 6),
            )
        )
        for row, line in enumerate(lines):
            parts.append(
                Markup(
                    '<text class="chart__tick" x="{m}" y="{y}" text-anchor="middle">{t}</text>'
                ).format(m=_f(middle), y=_f(base + 18 + 16 * row), t=line)
            )
    axis = Markup('<line class="chart__axis" x1="{l}" y1="{y}" x2="{r}" y2="{y}"/>').format(
        l=LEFT, r=WIDTH - RIGHT, y=base
    )
    return (
        _open(chart_id, title, desc, height, "chart--bars")
        + _y_axis(ticks, y_label, german_number)
        + Markup("").join(parts)
        + axis
        + Markup("</svg>")
    )
