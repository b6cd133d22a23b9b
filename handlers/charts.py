"""PNG charts for replies (matplotlib on the Agg backend: no display needed).

``pyplot()`` is the one place that loads matplotlib; ``png()`` renders a figure and
closes it. ``bar_chart`` draws the horizontal bars the time reports send.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

BLUE, GREEN, GREY, ORANGE = "#1565c0", "#2e7d32", "#9e9e9e", "#ef6c00"


def pyplot() -> Any | None:
    """matplotlib.pyplot on the Agg backend, or None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a declared dependency
        log.warning("matplotlib is not installed: replies go without charts")
        return None
    return plt


def png(plt: Any, fig: Any) -> bytes:
    """The figure as PNG bytes; the figure is closed either way."""
    try:
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=100)
        return out.getvalue()
    finally:
        plt.close(fig)


def bar_chart(
    title: str,
    names: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    stacked: bool = False,
    note: Callable[[float], str] = lambda v: f"{v:g}",
    limit: int = 25,
    unit: str = "",
) -> bytes | None:
    """Horizontal bars, the first name on top. ``series`` are (legend, values, colour):
    stacked (parts of one total, the total written at the bar's end) or side by side.
    ``unit`` names the x axis; at most ``limit`` bars are drawn."""
    plt = pyplot()
    if plt is None or not names:
        return None
    names = list(names)[:limit]
    rows = len(names)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.38 * rows * (1 if stacked else len(series))))
    try:
        positions = list(range(rows))[::-1]
        height = 0.7 if stacked else 0.8 / len(series)
        left = [0.0] * rows
        ends = [0.0] * rows
        for n, (legend, values, colour) in enumerate(series):
            values = [float(v) for v in list(values)[:rows]]
            if stacked:
                ax.barh(positions, values, height, left=left, color=colour, label=legend)
                left = [a + b for a, b in zip(left, values, strict=True)]
                ends = left
            else:
                shifted = [p + 0.4 - height * (n + 0.5) for p in positions]
                bars = ax.barh(shifted, values, height, color=colour, label=legend)
                for bar, value in zip(bars, values, strict=True):
                    if value:
                        y = bar.get_y() + bar.get_height() / 2
                        ax.text(bar.get_width(), y, f" {note(value)}", va="center", fontsize=8)
        if stacked:
            for y, total in zip(positions, ends, strict=True):
                if total:
                    ax.text(total, y, f" {note(total)}", va="center", fontsize=9)
        ax.set_yticks(positions, [n[:28] for n in names])
        ax.set_title(title)
        if unit:
            ax.set_xlabel(unit)
        ax.set_xlim(0, max([*ends, *(v for _, vs, _ in series for v in vs), 1.0]) * 1.2)
        ax.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            ax.legend(loc="best", fontsize=8, framealpha=0.8)
        return png(plt, fig)
    except Exception:
        plt.close(fig)
        raise
