"""The dashboard's charts (Qt Charts): received per day by channel, on time / early / late, rates
against the full-mark thresholds, and rates by field or officer. Pure view code: data in, chart out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter

CHANNELS = ((1, "Trực tiếp", "#1f77b4"), (2, "Trực tuyến", "#2ca02c"), (3, "Bưu chính", "#ff7f0e"))


def _view(chart: QChart) -> QChartView:
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(230)
    return view


def _value_axis(chart: QChart, series: object, maximum: float | None, orientation: Qt.AlignmentFlag,
                label: str = "%d") -> QValueAxis:
    axis = QValueAxis()
    axis.setMin(0)
    if maximum is not None:
        axis.setMax(maximum)
    axis.setLabelFormat(label)
    chart.addAxis(axis, orientation)
    series.attachAxis(axis)  # type: ignore[attr-defined]
    return axis


def received_per_day(per_day: Sequence[tuple[str, int, int]]) -> QChartView:
    """Stacked bars: dossiers received per day (one bar per month over more than two months)."""
    by_month = len({d for d, _c, _n in per_day}) > 62
    counts: dict[tuple[str, int], int] = {}
    for day, channel, n in per_day:
        key = (day[:7] if by_month else day, channel)
        counts[key] = counts.get(key, 0) + n
    days = sorted({d for d, _c in counts})
    series = QStackedBarSeries()
    for channel, name, colour in CHANNELS:
        bars = QBarSet(name)
        bars.setColor(QColor(colour))
        bars.append([float(counts.get((d, channel), 0)) for d in days])
        series.append(bars)
    chart = QChart()
    chart.setTitle("Hồ sơ tiếp nhận theo " + ("tháng" if by_month else "ngày") + " và kênh")
    chart.addSeries(series)
    axis = QBarCategoryAxis()
    axis.append([f"{d[5:7]}/{d[:4]}" if by_month else f"{d[8:10]}/{d[5:7]}" for d in days] or [""])
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    peak = max((sum(counts.get((d, c), 0) for c, _n, _h in CHANNELS) for d in days), default=0)
    _value_axis(chart, series, max(peak, 1) * 1.1, Qt.AlignmentFlag.AlignLeft)
    return _view(chart)


def timeliness(on_time: int, early: int, late: int) -> QChartView:
    """Pie: finished early, on the due day (on time, not early) and late."""
    series = QPieSeries()
    for label, value, colour in (("Trước hạn", early, "#2ca02c"), ("Đúng hạn", on_time - early, "#1f77b4"),
                                 ("Quá hạn", late, "#d62728")):
        piece = series.append(f"{label}: {value}", float(value))
        piece.setColor(QColor(colour))
        piece.setLabelVisible(value > 0)
    chart = QChart()
    chart.setTitle("Hồ sơ giải quyết xong trong kỳ")
    chart.addSeries(series)
    return _view(chart)


def rates_against_marks(rates: Sequence[tuple[str, float, float | None]]) -> QChartView:
    """Horizontal bars: each rate (%) beside the rate that earns full marks."""
    reached, needed = QBarSet("Đạt được (%)"), QBarSet("Mức đạt điểm tối đa (%)")
    reached.setColor(QColor("#4e79a7"))
    needed.setColor(QColor("#e15759"))
    for _label, value, mark in reversed(rates):
        reached.append(value)
        needed.append(mark or 0.0)
    series = QHorizontalBarSeries()
    series.append(reached)
    series.append(needed)
    chart = QChart()
    chart.setTitle("Tỷ lệ so với mức đạt điểm tối đa (Quyết định 766/QĐ-TTg)")
    chart.addSeries(series)
    axis = QBarCategoryAxis()
    axis.append([label for label, _v, _m in reversed(rates)])
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    _value_axis(chart, series, 100, Qt.AlignmentFlag.AlignBottom)
    return _view(chart)


def rates_by_group(title: str, groups: Mapping[str, Mapping[str, float]],
                   keys: Sequence[tuple[str, str]]) -> QChartView:
    """Grouped horizontal bars: for each field or officer, the chosen rates (``keys``: (key, label))."""
    series = QHorizontalBarSeries()
    colours = ("#1f77b4", "#9467bd", "#8c564b", "#17becf")
    for index, (key, label) in enumerate(keys):
        bars = QBarSet(label)
        bars.setColor(QColor(colours[index % len(colours)]))
        bars.append([groups[name].get(key, 0.0) for name in reversed(list(groups))])
        series.append(bars)
    chart = QChart()
    chart.setTitle(title)
    chart.addSeries(series)
    axis = QBarCategoryAxis()
    axis.append([name if len(name) <= 26 else name[:25] + "…" for name in reversed(list(groups))] or [""])
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    _value_axis(chart, series, 100, Qt.AlignmentFlag.AlignBottom)
    return _view(chart)
