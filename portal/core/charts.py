"""Server-side SVG charts: coordinates worked out here, drawn by templates/_macros/charts.html (no script, no library;
the CSP allows nothing else). The same drawing as the QVS trend of the tapping module (bars per period, an optional
target line), for any series of (label, value)."""
from __future__ import annotations


def bar_chart(points: list[tuple[str, float]], title: str = "", width: int = 640, height: int = 220,
              target: float | None = None, ceiling: float | None = None, highlight=None) -> dict:
    """Bars for `points` [(label, value)], scaled to `ceiling` (default: the largest value, at least 1), an optional
    dashed `target` line; `highlight(value)` marks a bar (e.g. under target)."""
    left, bottom, top = 44, 28, 12
    inner_w, inner_h = width - left - 8, height - bottom - top
    top_value = ceiling or max([v for _l, v in points] + [target or 0, 1])
    step = inner_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = float(value or 0) / top_value * inner_h
        bars.append({"x": round(left + i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                     "y": round(top + inner_h - h, 1), "h": round(h, 1), "value": value, "label": label,
                     "marked": bool(highlight(value)) if highlight else False, "label_x": round(left + i * step + step / 2, 1)})
    ticks = []
    for frac in (0, 0.25, 0.5, 0.75, 1):
        v = top_value * frac
        ticks.append({"y": round(top + inner_h - frac * inner_h, 1), "v": int(v) if float(v).is_integer() else round(v, 1)})
    target_y = round(top + inner_h - float(target) / top_value * inner_h, 1) if target is not None else None
    return {"width": width, "height": height, "bars": bars, "ticks": ticks, "left": left, "right": width - 8,
            "base": top + inner_h, "target": target, "target_y": target_y, "title": title}
