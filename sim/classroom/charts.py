"""Line charts for the page, as HTML and SVG the browser draws itself.

A chart is a few hundred bytes of text: the page sends it and the browser draws it
at once, where a Matplotlib image cost 370-490 ms a day to draw and encode. Labels
are HTML text in CSS pixels, so they stay readable at any screen size; the lines are
SVG stretched to the plot (``non-scaling-stroke`` keeps their width). The axes are
fixed for the whole year, so two groups on one chart are compared on the same scale
and nothing jumps while the year runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

__all__ = ["Line", "Axis", "chart_html", "nice_top"]

_HEIGHT = 1000  # SVG units of the plot's height (the width is the days)


@dataclass(frozen=True)
class Line:
    """One line of a chart: a group's measure day by day.

    ``label`` is drawn at the line's end (a direct label), ``dash`` is an SVG
    ``stroke-dasharray`` (empty for solid), so lines differ in more than colour.
    """

    label: str
    days: np.ndarray
    values: np.ndarray
    colour: str
    dash: str = ""
    key: str = ""


@dataclass(frozen=True)
class Axis:
    """The vertical axis: its top and its labelled ticks ``(value, text)``.

    ``reference`` is an optional ``(value, text)`` line drawn across the plot (such as
    the collapse threshold).
    """

    top: float
    ticks: tuple[tuple[float, str], ...]
    reference: tuple[float, str] | None = None


def nice_top(values: Sequence[float], floor: float) -> float:
    """The axis top: ``floor``, or the next round number above the largest value.

    Grows in steps (never shrinks while a group runs), so the scale changes rarely.
    """
    finite = [v for v in values if np.isfinite(v)]
    top = max([floor, *finite]) if finite else floor
    if top <= floor:
        return floor
    step = 10 ** np.floor(np.log10(top)) / 2
    return float(np.ceil(top / step) * step)


def _points(days: np.ndarray, values: np.ndarray, top: float) -> str:
    y = _HEIGHT * (1.0 - np.clip(values / top, 0.0, 1.0))
    ok = np.isfinite(y)
    return " ".join(f"{d:g},{v:.0f}" for d, v in zip(days[ok], y[ok], strict=True))


def _percent(value: float, top: float) -> float:
    return 100.0 * (1.0 - min(max(value / top, 0.0), 1.0))


def _line_svg(line: Line, top: float) -> str:
    dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
    return (
        f'<polyline data-group="{escape(line.key)}" points="{_points(line.days, line.values, top)}"'
        f' fill="none" stroke="{line.colour}" stroke-width="2.5"{dash}'
        ' vector-effect="non-scaling-stroke" stroke-linejoin="round"/>'
    )


def _direct_label(line: Line, top: float, days: int) -> str:
    if len(line.values) == 0 or not np.isfinite(line.values[-1]):
        return ""
    left = 100.0 * float(line.days[-1]) / days
    top_ = _percent(line.values[-1], top)
    return (
        f'<span class="sim-direct" style="left:{left:.1f}%;top:{top_:.1f}%;'
        f'color:{line.colour}">{escape(line.label)}</span>'
    )


def chart_html(
    title: str, lines: Sequence[Line], axis: Axis, days: int, day_label: str, name: str = ""
) -> str:
    """One chart: a title, lines over ``days`` days on the fixed ``axis``, labelled ends.

    ``name`` is a CSS class that tests and styles can find the chart by.
    """
    grid = "".join(
        f'<line x1="0" x2="{days}" y1="{_HEIGHT - _HEIGHT * v / axis.top:.0f}" '
        f'y2="{_HEIGHT - _HEIGHT * v / axis.top:.0f}" class="sim-grid"'
        ' vector-effect="non-scaling-stroke"/>'
        for v, _ in axis.ticks
    )
    ticks = "".join(
        f'<span class="sim-ytick" style="top:{_percent(v, axis.top):.1f}%">{escape(t)}</span>'
        for v, t in axis.ticks
    )
    ref = ""
    if axis.reference is not None:
        value, text = axis.reference
        y = _HEIGHT - _HEIGHT * value / axis.top
        grid += (
            f'<line x1="0" x2="{days}" y1="{y:.0f}" y2="{y:.0f}" class="sim-ref"'
            ' vector-effect="non-scaling-stroke"/>'
        )
        ref = (
            f'<span class="sim-ref-label" style="top:{_percent(value, axis.top):.1f}%">'
            f"{escape(text)}</span>"
        )
    body = "".join(_line_svg(line, axis.top) for line in lines)
    labels = "".join(_direct_label(line, axis.top, days) for line in lines)
    xticks = "".join(
        f'<span style="left:{100 * d / days:.1f}%">{d}</span>' for d in _day_ticks(days)
    )
    return (
        f'<figure class="sim-chart {escape(name)}">'
        f'<figcaption class="sim-chart-title">{escape(title)}</figcaption>'
        f'<div class="sim-plot">{ticks}'
        f'<svg class="sim-lines" viewBox="0 0 {days} {_HEIGHT}" preserveAspectRatio="none"'
        f' role="img" aria-label="{escape(title)}">{grid}{body}</svg>{ref}{labels}</div>'
        f'<div class="sim-xticks">{xticks}<span class="sim-xlabel">{escape(day_label)}</span>'
        "</div></figure>"
    )


def _day_ticks(days: int) -> list[int]:
    if days == 365:
        return [0, 100, 200, 300]
    return [int(d) for d in np.linspace(0, days, 4)[:-1]]
