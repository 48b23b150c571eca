"""Bar charts drawn on the server (an SVG the template writes from these coordinates; no script, no library — the
CSP allows nothing else).

- `bar_chart(points, target)`: one bar per point, red when the point misses its target, the target as a dashed line
  (tapping's QVS trend, monitoring's KPI trends; drawn by their templates);
- `count_chart(points)`: bars for a series of (label, count), e.g. nonconformities per month (capa's trends; drawn by
  templates/_macros/charts.html).
"""
from __future__ import annotations

from decimal import Decimal


def _top(values: list[float], target: float, top: float | None) -> float:
    if top is not None:
        return top
    highest = max([v for v in values if v is not None] + [target, 1.0])
    step = 10 ** max(len(str(int(highest))) - 1, 0)
    return float(((int(highest * 1.15) // step) + 1) * step)


def bar_chart(points: list[dict], target, width: int = 640, height: int = 220, top: float | None = 100.0) -> dict:
    """Coordinates of a bar chart. Each point is a dict with `value` (None: no bar) and `under` (missed), and any
    other keys the template shows (kept on the bar). `top` is the value at the top of the chart (None: fitted)."""
    left, bottom, upper = 44, 28, 12
    inner_w, inner_h = width - left - 8, height - bottom - upper
    target_f = float(target) if target is not None else 0.0
    top_v = _top([float(p["value"]) if p.get("value") is not None else None for p in points], target_f, top)
    step = inner_w / max(len(points), 1)
    bars = []
    for i, p in enumerate(points):
        value = p.get("value")
        h = min(float(value or 0), top_v) / top_v * inner_h
        if value is not None and h < 1.5:
            h = 1.5  # a zero still shows as a bar (no bar: no reading)
        bars.append({**p, "x": round(left + i * step + step * 0.15, 1), "w": round(step * 0.7, 1),
                     "y": round(upper + inner_h - h, 1), "h": round(h, 1), "label_x": round(left + i * step + step / 2, 1)})
    ty = round(upper + inner_h - min(target_f, top_v) / top_v * inner_h, 1)
    ticks = [{"y": round(upper + inner_h - f * inner_h, 1), "v": _tick(top_v * f)} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": width, "height": height, "bars": bars, "target_y": ty, "target": target if target is not None else Decimal(0),
            "left": left, "right": width - 8, "base": upper + inner_h, "ticks": ticks}


def _tick(v: float):
    return int(v) if float(v).is_integer() else round(v, 1)


def count_chart(points: list[tuple[str, float]], title: str = "", width: int = 640, height: int = 220,
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
