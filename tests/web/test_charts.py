"""The dashboard's SVG charts: well-formed, accessible, escaped, drawn to scale, no inline style."""

import xml.etree.ElementTree as ET

import pytest

from zentrum.web.reports.charts import (
    PLOT_HEIGHT,
    TOP,
    Bar,
    LegendEntry,
    Series,
    bar_chart,
    german_number,
    line_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    """The chart as XML (it must be well-formed)."""
    return ET.fromstring(str(markup))


def every(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(SVG + tag))


def _lines(**overrides):
    args = {
        "categories": ["KW 45", "KW 46", "KW 47", "KW 48"],
        "series": [
            Series("IHK – Median", [1.0, None, 3.0, 4.0], slot=2),
            Series("IHK – 90. P.", [2.0, 2.5, None, 8.0], slot=2, dashed=True),
        ],
        "chart_id": "chart-weekly",
        "title": "Übergabezeit je Woche",
        "desc": "Median und 90. Perzentil",
        "y_label": "Stunden",
        "legend": [LegendEntry("IHK", 2), LegendEntry("90. Perzentil", dashed=True)],
    }
    args.update(overrides)
    categories = args.pop("categories")
    series = args.pop("series")
    return line_chart(categories, series, **args)


def test_line_chart_is_one_accessible_image_with_title_and_description():
    root = parse(_lines())
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title.text == "Übergabezeit je Woche"
    assert desc.text == "Median und 90. Perzentil"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


@pytest.mark.parametrize("make", [_lines, lambda: bar_chart([Bar("a", 1)], **_bar_args())])
def test_charts_carry_no_inline_style_and_no_script(make):
    markup = str(make())
    root = parse(markup)
    assert all(element.get("style") is None for element in root.iter())
    assert not every(root, "style") and not every(root, "script")
    assert "style=" not in markup


def test_labels_are_escaped():
    evil = '<script>alert("x")</script> & Co'
    markup = _lines(
        categories=[evil, "b"],
        series=[Series(evil, [1.0, 2.0])],
        title=evil,
        desc=evil,
        legend=[LegendEntry(evil, 0)],
    )
    assert "<script>" not in str(markup)
    root = parse(markup)
    assert root.find(SVG + "title").text == evil
    texts = [t.text for t in every(root, "text")]
    assert evil in texts


def test_missing_values_break_the_line_and_get_no_marker():
    root = parse(_lines(series=[Series("s", [1.0, None, 3.0, 4.0])]))
    polylines = every(root, "polyline")
    assert len(polylines) == 1  # the lone first point draws no line
    assert len(polylines[0].get("points").split()) == 2
    series = next(g for g in every(root, "g") if g.get("class") == "chart__series")
    markers = [m for m in series if "chart__marker" in (m.get("class") or "")]
    assert len(markers) == 3
    tips = [m.find(SVG + "title").text for m in markers]
    assert tips[0] == "s, KW 45: 1"


def test_dashed_series_and_legend_entries_say_what_they_are():
    root = parse(_lines())
    lines = every(root, "polyline")
    assert [bool(p.get("stroke-dasharray")) for p in lines] == [False, True]
    legend = [line for line in every(root, "line") if "chart__legend-neutral" in line.get("class")]
    assert legend[0].get("stroke-dasharray")
    assert {"IHK", "90. Perzentil"} <= {t.text for t in every(root, "text")}


def test_line_chart_draws_to_scale():
    root = parse(_lines(series=[Series("s", [0.0, 5.0, 10.0, None])]))
    points = [
        tuple(map(float, p.split(","))) for p in every(root, "polyline")[0].get("points").split()
    ]
    ys = [y for _x, y in points]
    bottom = TOP + PLOT_HEIGHT
    assert ys[0] == pytest.approx(bottom)
    assert ys[2] == pytest.approx(TOP)  # 10 is the top tick
    assert bottom - ys[1] == pytest.approx((bottom - ys[2]) / 2)
    xs = [x for x, _y in points]
    assert xs == sorted(xs)


def _bar_args():
    return {"chart_id": "chart-waiting", "title": "Wartende", "desc": "Säulen", "y_label": "Anzahl"}


def test_bars_are_proportional_and_labelled():
    bars = [Bar("unter 50 %", 2), Bar("über der Zielzeit", 4, "alert"), Bar("leer", 0)]
    root = parse(bar_chart(bars, **_bar_args()))
    rects = every(root, "rect")
    heights = [float(r.get("height")) for r in rects]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == 0
    assert "chart__bar--alert" in rects[1].get("class")
    texts = [t.text for t in every(root, "text")]
    assert {"2", "4", "0", "leer"} <= set(texts)
    assert "über der Zielzeit" in " ".join(texts)  # wrapped over lines, maybe
    assert root.get("role") == "img"


def test_count_axis_has_whole_numbers_only():
    root = parse(bar_chart([Bar("a", 1), Bar("b", 2)], **_bar_args()))
    ticks = [t.text for t in every(root, "text") if t.get("class") == "chart__tick"]
    assert "1,5" not in ticks and "0,5" not in ticks


def test_empty_charts_still_render():
    assert parse(_lines(categories=[], series=[], legend=[])).get("role") == "img"
    assert parse(bar_chart([], **_bar_args())).get("role") == "img"
    assert parse(_lines(series=[Series("s", [None] * 4)])).get("role") == "img"


@pytest.mark.parametrize(
    ("top", "whole", "expected"),
    [
        (0, False, [0, 1]),
        (10, False, [0, 2, 4, 6, 8, 10]),
        (23, False, [0, 5, 10, 15, 20, 25]),
        (0.9, False, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (2, True, [0, 1, 2]),
        (12, True, [0, 5, 10, 15]),
    ],
)
def test_nice_ticks_are_round_and_cover_the_top(top, whole, expected):
    assert nice_ticks(top, whole=whole) == pytest.approx(expected)


def test_numbers_are_written_the_german_way():
    assert german_number(3.0) == "3"
    assert german_number(2.5) == "2,5"
    assert german_number(0.25) == "0,25"
