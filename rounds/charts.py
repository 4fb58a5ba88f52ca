"""The overview's two charts as SVG drawn on the server: no script, no inline style (the site's
Content-Security-Policy); colours come from classes in rounds/static/rounds/overview.css, and
the few presentation attributes SVG itself defines (stroke-dasharray, text-anchor).

Coordinates are drawing units of the viewBox, floats: geometry, not money. The rates they are
drawn from stay Decimal until here."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from evaluations import figures
from rounds.selectors import Count, DepartmentResult

# The 预算执行率 a department should reach (财预〔2020〕10号 scores it in full at 100 %; the
# finance bureau's attention line is 90 %).
TARGET_RATE = Decimal("90")


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def grade_chart(counts: Sequence[Count]) -> SafeString:
    """A bar per grade (优秀, 良好, 中, 差, 未评) with its number of departments."""
    width, height = 360, 200
    left, bottom, top = 16, 28, 22
    plot_height = height - bottom - top
    slot = (width - 2 * left) / max(len(counts), 1)
    highest = max((count.count for count in counts), default=0) or 1
    bars = []
    for index, count in enumerate(counts):
        bar_height = plot_height * count.count / highest
        x = left + index * slot + slot * 0.15
        y = top + plot_height - bar_height
        centre = left + index * slot + slot / 2
        bars.append(
            format_html(
                '<g class="grade-group" data-grade="{grade}">'
                "<title>{label}：{count} 个部门</title>"
                '<rect class="grade-bar grade-{grade}" x="{x}" y="{y}" width="{w}" height="{h}"/>'
                '<text class="chart-value" x="{cx}" y="{ty}" text-anchor="middle">{count}</text>'
                '<text class="chart-label" x="{cx}" y="{ly}" text-anchor="middle">{label}</text>'
                "</g>",
                grade=count.value,
                label=count.label,
                count=count.count,
                x=_number(x),
                y=_number(y),
                w=_number(slot * 0.7),
                h=_number(bar_height),
                cx=_number(centre),
                ty=_number(y - 5),
                ly=_number(height - 9),
            )
        )
    return format_html(
        '<svg class="chart chart-grades" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="grade-chart-title">'
        '<title id="grade-chart-title">各等级部门数（按指标计算的等级）</title>'
        '<line class="chart-axis" x1="{l}" y1="{base}" x2="{r}" y2="{base}"/>'
        "{bars}</svg>",
        w=width,
        h=height,
        l=left,
        r=width - left,
        base=top + plot_height,
        bars=SafeString("".join(bars)),
    )


def _short(name: str, length: int = 14) -> str:
    return name if len(name) <= length else name[: length - 1] + "…"


def rate_chart(results: Sequence[DepartmentResult]) -> SafeString:
    """预算执行率 of every department that has one, as a strip of columns sorted from the
    lowest to the highest, with the 90 % line dashed and only the two extremes labelled, so
    that a thousand departments stay readable (each column names its department on hover)."""
    width, height = 960, 240
    left, right, top, bottom = 44, 14, 30, 14
    plot_width, plot_height = width - left - right, height - top - bottom
    rated = sorted(
        (r for r in results if r.completion_rate is not None),
        key=lambda r: (r.completion_rate, r.code),
    )
    if not rated:
        return format_html(
            '<svg class="chart chart-rates" viewBox="0 0 {w} 60" role="img" '
            'aria-labelledby="rate-chart-title">'
            '<title id="rate-chart-title">预算执行率</title>'
            '<text class="chart-label" x="{x}" y="34" text-anchor="middle">'
            "没有可以计算预算执行率的部门</text></svg>",
            w=width,
            x=width // 2,
        )
    highest_rate = float(rated[-1].completion_rate or 0)
    # Up to the next ten above the highest rate, at least 110 % (room above the 100 % mark),
    # at most 200 %: a column above that is drawn to the top.
    ceiling = min(200.0, max(110.0, (int(highest_rate) // 10 + 1) * 10.0))

    def y_of(rate: float) -> float:
        return top + plot_height * (1 - min(rate, ceiling) / ceiling)

    slot = plot_width / len(rated)
    # Many departments: columns touch (and overlap by a hair, or anti-aliasing draws a hatch
    # between them); few: with gaps.
    column_width = slot + 0.4 if len(rated) > 150 else slot * 0.8
    grid = []
    for tick in (0.0, 50.0, 100.0):
        y = _number(y_of(tick))
        grid.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                left,
                y,
                width - right,
                y,
            )
        )
        # The 90 % label sits on the axis too: a tick too close to it goes unlabelled.
        if abs(y_of(tick) - y_of(float(TARGET_RATE))) >= 13:
            grid.append(
                format_html(
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}%</text>',
                    left - 6,
                    _number(y_of(tick) + 4),
                    int(tick),
                )
            )
    columns = format_html_join(
        "",
        '<rect class="rate-column{}" x="{}" y="{}" width="{}" height="{}">'
        "<title>{}：{}%</title></rect>",
        (
            (
                " rate-below" if (r.completion_rate or 0) < TARGET_RATE else "",
                _number(left + index * slot),
                _number(y_of(float(r.completion_rate or 0))),
                _number(column_width),
                _number(top + plot_height - y_of(float(r.completion_rate or 0))),
                r.name,
                figures.format_rate(r.completion_rate),
            )
            for index, r in enumerate(rated)
        ),
    )
    target_y = _number(y_of(float(TARGET_RATE)))
    lowest, highest = rated[0], rated[-1]
    extremes = format_html(
        '<text class="chart-extreme" x="{lx}" y="{ly}" text-anchor="start">'
        "最低 {lrate}%：{lname}</text>"
        '<text class="chart-extreme" x="{hx}" y="{hy}" text-anchor="end">'
        "最高 {hrate}%：{hname}</text>",
        lx=left + 2,
        ly=_number(max(y_of(float(lowest.completion_rate or 0)) - 6, 12)),
        lrate=figures.format_rate(lowest.completion_rate),
        lname=_short(lowest.name),
        hx=width - right - 2,
        hy=_number(max(y_of(highest_rate) - 6, 12)),
        hrate=figures.format_rate(highest.completion_rate),
        hname=_short(highest.name),
    )
    return format_html(
        '<svg class="chart chart-rates" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="rate-chart-title">'
        '<title id="rate-chart-title">各部门预算执行率，从低到高排列，虚线为 {target}%</title>'
        "{grid}{columns}"
        '<line class="target-line" x1="{l}" y1="{ty}" x2="{r}" y2="{ty}" '
        'stroke-dasharray="6 4"/>'
        '<text class="target-label" x="{tx}" y="{tly}" text-anchor="end">{target}%</text>'
        "{extremes}</svg>",
        w=width,
        h=height,
        target=int(TARGET_RATE),
        grid=SafeString("".join(grid)),
        columns=columns,
        l=left,
        r=width - right,
        ty=target_y,
        tx=left - 6,
        tly=_number(y_of(float(TARGET_RATE)) + 4),
        extremes=extremes,
    )
