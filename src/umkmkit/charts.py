"""The coordinator report's charts: functions that take tables and labels and return a Figure.

Drawn for a projector: large type, few colours, values written on the bars. The caller saves.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")  # reports are written without a screen
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Colour-blind-safe colours (Okabe-Ito), one per cohort or series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT_SIZE = 14

plt.rcParams.update({
    "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 2, "axes.spines.top": False,
    "axes.spines.right": False, "figure.dpi": 100,
})


def _figure(height: float = 5.5) -> tuple[Figure, plt.Axes]:
    # fixed margins (room for district names and a legend on the right): a layout engine
    # would cost a third of the drawing time
    figure = Figure(figsize=(11, height))
    figure.subplots_adjust(left=0.2, right=0.84, bottom=1.0 / height, top=1 - 0.55 / height)
    return figure, figure.add_subplot()


def _empty(figure: Figure, axes: plt.Axes, message: str) -> Figure:
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=FONT_SIZE + 2, transform=axes.transAxes)
    return figure


def grouped_percent_bars(
    table: pd.DataFrame, *, category: str, series: str, value: str, title: str, ylabel: str, empty: str,
) -> Figure:
    """Bars of a percentage per category (x) and series (one colour each, e.g. cohorts)."""
    figure, axes = _figure()
    if table.empty:
        return _empty(figure, axes, empty)
    wide = table.pivot_table(index=category, columns=series, values=value, aggfunc="first", sort=False)
    count = max(1, len(wide.columns))
    width = 0.8 / count
    for position, name in enumerate(wide.columns):
        offsets = [x + (position - (count - 1) / 2) * width for x in range(len(wide.index))]
        bars = axes.bar(offsets, wide[name].fillna(0), width=width, label=str(name), color=PALETTE[position % len(PALETTE)])
        axes.bar_label(bars, labels=[f"{v:.0f}" if pd.notna(v) else "" for v in wide[name]], fontsize=FONT_SIZE - 3)
    axes.set_xticks(range(len(wide.index)), [str(i) for i in wide.index])
    axes.set_ylim(0, 110)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    if count > 1:  # beside the plot, never over a bar
        axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def score_distribution(scores: pd.DataFrame, *, category: str, value: str, title: str, ylabel: str, empty: str) -> Figure:
    """Box plots of scores (percent) per category, with each score shown as a dot."""
    figure, axes = _figure()
    if scores.empty:
        return _empty(figure, axes, empty)
    groups = [(name, group[value].to_numpy()) for name, group in scores.groupby(category, sort=False)]
    axes.boxplot([values for _, values in groups], tick_labels=[str(name) for name, _ in groups], widths=0.5,
                 medianprops={"color": PALETTE[1], "linewidth": 3})
    for position, (_, values) in enumerate(groups, start=1):
        jitter = [position + ((i * 37) % 21 - 10) / 60 for i in range(len(values))]  # deterministic spread
        axes.scatter(jitter, values, s=14, alpha=0.45, color=PALETTE[0])
    axes.set_ylim(-5, 105)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    return figure


def horizontal_percent_bars(
    table: pd.DataFrame, *, label: str, value: str, count: str, title: str, xlabel: str, empty: str,
    note: str = "{n}",
) -> Figure:
    """One bar per row, sorted, labelled with its percentage and a note (e.g. number of people)."""
    height = max(3.5, 0.55 * len(table) + 1.8)
    figure, axes = _figure(height)
    if table.empty:
        return _empty(figure, axes, empty)
    ordered = table.sort_values(value)
    bars = axes.barh([str(v) for v in ordered[label]], ordered[value], color=PALETTE[0])
    axes.bar_label(bars, labels=[f"{v:.0f}% ({note.format(n=n)})" for v, n in zip(ordered[value], ordered[count])],
                   padding=4, fontsize=FONT_SIZE - 2)
    axes.set_xlim(0, 118)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    return figure


def coverage_bars(table: pd.DataFrame, *, label: str, registered: str, reached: str, title: str,
                  legend: tuple[str, str], empty: str) -> Figure:
    """Registered UMKM (light) and those reached by training (dark) per group."""
    height = max(3.5, 0.55 * len(table) + 1.8)
    figure, axes = _figure(height)
    if table.empty:
        return _empty(figure, axes, empty)
    ordered = table.sort_values(registered)
    names = [str(v) for v in ordered[label]]
    axes.barh(names, ordered[registered], color="#C9DDEE", label=legend[0])
    bars = axes.barh(names, ordered[reached], color=PALETTE[0], label=legend[1])
    shares = [100 * r / g if g else 0 for r, g in zip(ordered[reached], ordered[registered])]
    axes.bar_label(bars, labels=[f"{r} ({s:.0f}%)" for r, s in zip(ordered[reached], shares)], padding=4,
                   fontsize=FONT_SIZE - 2)
    axes.set_title(title)
    axes.legend(frameon=False, loc="lower right")
    return figure
