"""The coordinator report's charts: functions that take tables and labels and return a Figure.

Drawn for a phone first and scaled up on a desk or a projector: every chart is `WIDTH_INCHES`
wide with no text smaller than `FONT_SIZE` points, so shown at the width of a 390-pixel phone
(about 366 CSS pixels) its smallest text is still more than 10 CSS pixels high. Bars are
horizontal, so module, sector and district names are written out in full on the left; cohorts
are told apart by colour and by a legend, which sits above the plot. Every figure uses
constrained layout: legends, labels and values are fitted inside the figure, never clipped.
Titles are the caller's (the report writes them as HTML captions). `svg` turns a figure into
an inline SVG whose text stays text: sharp at any size, and readable by a screen reader or a test.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("agg")  # reports are written without a screen
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from umkmkit.errors import UmkmkitError  # noqa: E402

if TYPE_CHECKING:
    from umkmkit.formats import Formats

#: Colour-blind-safe colours (Okabe-Ito), one per cohort or series; a chart shows at most this many series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
#: Pale blue of the registered-UMKM bars behind the trained ones.
PALE = "#C9DDEE"
#: Width of every chart; with FONT_SIZE it keeps text >= 10 CSS px on a 390-px phone (module docstring).
WIDTH_INCHES = 4.5
#: Smallest type on a chart, in points (1 pt = 1 SVG unit; 4.5 in = 324 units).
FONT_SIZE = 10
#: Names longer than this are wrapped onto a second line.
LABEL_CHARACTERS = 18
#: The group id of a chart's legend in the SVG (`svg` prefixes it with the chart's own id).
LEGEND_ID = "legenda"

_STYLE = {
    "font.family": ["DejaVu Sans", "sans-serif"], "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2,
    "axes.labelsize": FONT_SIZE, "xtick.labelsize": FONT_SIZE, "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE, "legend.title_fontsize": FONT_SIZE, "axes.spines.top": False,
    "axes.spines.right": False, "figure.dpi": 72, "svg.fonttype": "none", "svg.hashsalt": "umkmkit",
}
# figure.dpi 72: one pixel of the layout is one point of the SVG, so what a test measures on the
# Figure is what the page shows; svg.fonttype none: text stays text (the browser draws it)
matplotlib.rcParams.update(_STYLE)
_BAR = 0.19  # inches per bar
_GAP = 0.22  # inches between groups of bars
_FRAME = 0.75  # inches for the axis, its label and the margins


def _figure(bars: int, groups: int, *, legend_rows: int = 0) -> tuple[Figure, Axes]:
    height = max(2.4, bars * _BAR + groups * _GAP + _FRAME + legend_rows * 0.22)
    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    figure.get_layout_engine().set(w_pad=0.04, h_pad=0.04)
    axes = figure.add_subplot()
    return figure, axes


def _empty(message: str) -> Figure:
    figure, axes = _figure(0, 0)
    axes.set_axis_off()
    axes.text(0.5, 0.5, textwrap.fill(message, 40), ha="center", va="center", fontsize=FONT_SIZE + 1,
              transform=axes.transAxes)
    return figure


def wrap(label: object) -> str:
    """A name on at most two lines of LABEL_CHARACTERS (a longer one is cut with an ellipsis)."""
    lines = textwrap.wrap(str(label), LABEL_CHARACTERS, break_long_words=False) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARACTERS, placeholder="…")]
    return "\n".join(lines)


def _legend_columns(labels: Sequence[str]) -> int:
    """As many legend columns as fit the chart's width (about 0.6 em per character, plus the swatch)."""
    widest = max(len(label) for label in labels) * 0.6 * FONT_SIZE + 3.2 * FONT_SIZE
    return max(1, min(len(labels), int(WIDTH_INCHES * 72 * 0.95 // widest)))


def _legend(figure: Figure, handles: Sequence, labels: Sequence[str], title: str | None) -> None:
    columns = _legend_columns([*labels, title or ""])
    legend = figure.legend(handles, labels, loc="outside upper left", ncols=columns, title=title, frameon=False,
                           alignment="left", handlelength=1.4, columnspacing=1.2)
    legend.set_gid(LEGEND_ID)
    for position, text in enumerate(legend.get_texts(), start=1):  # entries apart from the title, for tests
        text.set_gid(f"{LEGEND_ID}-{position}")


def grouped_percent_bars(
    table: pd.DataFrame, *, category: str, series: str, value: str, xlabel: str, empty: str, formats: Formats,
    category_labels: Mapping[str, str] | None = None, legend_title: str | None = None,
) -> Figure:
    """One group of horizontal bars per category (e.g. module), one bar and colour per series (e.g. cohort).

    Categories keep the table's order from top to bottom, series its order within a group and in
    the legend; at most len(PALETTE) series (the caller picks which), so no two share a colour.
    """
    if table.empty:
        return _empty(empty)
    wide = table.pivot_table(index=category, columns=series, values=value, aggfunc="first", sort=False)
    names = [str(name) for name in wide.columns]
    if len(names) > len(PALETTE):
        raise UmkmkitError(
            f"A chart tells at most {len(PALETTE)} cohorts (or series) apart by colour, not {len(names)} "
            f"({', '.join(names)}): chart the latest {len(PALETTE)} and show the rest in a table."
        )
    count = len(names)
    figure, axes = _figure(count * len(wide.index), len(wide.index), legend_rows=-(-count // _legend_columns(names)) + 1)
    height = 0.8 / count
    handles = []
    for position, name in enumerate(wide.columns):
        offsets = [y + (position - (count - 1) / 2) * height for y in range(len(wide.index))]
        colour = PALETTE[position]
        bars = axes.barh(offsets, wide[name].fillna(0), height=height * 0.92, color=colour, label=str(name))
        axes.bar_label(bars, labels=[formats.percent(v) if pd.notna(v) else "–" for v in wide[name]],
                       padding=3, fontsize=FONT_SIZE)
        handles.append(Patch(color=colour))
    labels = category_labels or {}
    axes.set_yticks(range(len(wide.index)), [wrap(labels.get(i, i)) for i in wide.index])
    axes.invert_yaxis()  # first category on top
    axes.margins(y=0.02)
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, 122)  # room for "100%" after the longest bar
    axes.set_xticks(range(0, 101, 25))
    axes.set_xlabel(xlabel)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    _legend(figure, handles, names, legend_title)
    return figure


def score_distribution(
    scores: pd.DataFrame, *, category: str, value: str, xlabel: str, empty: str,
    category_labels: Mapping[str, str] | None = None,
) -> Figure:
    """A horizontal box plot of scores (percent) per category, each score a dot behind it."""
    if scores.empty:
        return _empty(empty)
    groups = [(name, group[value].to_numpy()) for name, group in scores.groupby(category, sort=False)]
    labels = category_labels or {}
    figure, axes = _figure(len(groups) * 2, len(groups))
    for position, (_, values) in enumerate(groups, start=1):
        # deterministic spread; an array, as matplotlib checks a list of thousands value by value
        # for masked entries (0.1 s of CPU for the report's 30,000 dots)
        jitter = np.array([position + ((i * 37) % 21 - 10) / 50 for i in range(len(values))])
        # one picture for thousands of dots: the SVG stays small and quick to draw
        axes.scatter(values, jitter, s=10, alpha=0.35, color=PALETTE[0], linewidths=0, rasterized=True)
    axes.boxplot([values for _, values in groups], orientation="horizontal", widths=0.55, showfliers=False,
                 tick_labels=[wrap(labels.get(name, name)) for name, _ in groups],
                 medianprops={"color": PALETTE[5], "linewidth": 2.5}, boxprops={"linewidth": 1.3},
                 whiskerprops={"linewidth": 1.3}, capprops={"linewidth": 1.3})
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(-3, 103)
    axes.set_xticks(range(0, 101, 25))
    axes.set_xlabel(xlabel)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure


def horizontal_percent_bars(
    table: pd.DataFrame, *, label: str, value: str, count: str, xlabel: str, empty: str, formats: Formats,
    note: str = "{n}",
) -> Figure:
    """One bar per row, largest on top, labelled with its percentage and a note (e.g. number of people)."""
    if table.empty:
        return _empty(empty)
    ordered = table.sort_values(value, ascending=False, kind="stable")
    figure, axes = _figure(len(ordered), len(ordered) // 2)
    bars = axes.barh([wrap(v) for v in ordered[label]], ordered[value], color=PALETTE[0], height=0.7)
    axes.bar_label(bars, labels=[f"{formats.percent(v)} ({note.format(n=formats.number(n))})"
                                 for v, n in zip(ordered[value], ordered[count])], padding=3, fontsize=FONT_SIZE)
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, 145)  # room for "100% (1.234 org)"
    axes.set_xticks(range(0, 101, 25))
    axes.set_xlabel(xlabel)
    return figure


def coverage_bars(table: pd.DataFrame, *, label: str, registered: str, reached: str, xlabel: str,
                  legend: tuple[str, str], empty: str, formats: Formats) -> Figure:
    """Registered UMKM (pale) and those reached by training (dark) per group, most registered on top."""
    if table.empty:
        return _empty(empty)
    ordered = table.sort_values(registered, ascending=False, kind="stable")
    figure, axes = _figure(len(ordered), len(ordered) // 2, legend_rows=2)
    names = [wrap(v) for v in ordered[label]]
    axes.barh(names, ordered[registered], color=PALE, height=0.7)
    bars = axes.barh(names, ordered[reached], color=PALETTE[0], height=0.7)
    shares = [100 * r / g if g else 0 for r, g in zip(ordered[reached], ordered[registered])]
    axes.bar_label(bars, labels=[f"{formats.number(r)} ({formats.percent(s)})" for r, s in zip(ordered[reached], shares)],
                   padding=3, fontsize=FONT_SIZE)
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, max(1, ordered[registered].max()) * 1.05)
    axes.xaxis.set_major_formatter(lambda x, _: formats.number(int(x)))
    axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    axes.set_xlabel(xlabel)
    _legend(figure, [Patch(color=PALE), Patch(color=PALETTE[0])], list(legend), None)
    return figure


_ID = re.compile(r'(\bid="|url\(#|href="#)')


def svg(figure: Figure, *, chart_id: str, label: str) -> str:
    """The figure as an inline <svg> element: ids prefixed with `chart_id` (unique in the page),
    `label` as its accessible name, text kept as text, no XML prolog or metadata."""
    buffer = io.StringIO()
    # dpi only sets the resolution of rasterized parts (the score dots)
    figure.savefig(buffer, format="svg", dpi=150, metadata={"Date": None, "Creator": None, "Format": None,
                                                            "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    text = _ID.sub(lambda m: m.group(1) + chart_id + "-", text)
    return text.replace("<svg ", f'<svg id="{chart_id}" role="img" aria-label="{html.escape(label)}" ', 1)
