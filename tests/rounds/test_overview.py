"""The year's overview shows every taking-part department as its evaluation stands: state,
the score and grade the evaluation page computes, budget execution, the dates of 提交送审 and
审核通过, the last 审核意见, counts per state, filters, sorting, links and the two charts."""

import re

from django.utils import timezone

from evaluations.models import ReviewEvent
from indicators.selectors import evaluation_scorecard
from tests.rounds.conftest import overview_url
from tests.rounds.pages import overview_table


def event_date(evaluation, to_status) -> str:
    event = ReviewEvent.objects.filter(evaluation=evaluation, to_status=to_status).latest(
        "created_at"
    )
    return f"{timezone.localdate(event.created_at):%Y-%m-%d}"


def test_each_taking_part_department_is_shown_as_its_evaluation_stands(district, auditor):
    response = auditor.get(overview_url(district.round))

    assert response.status_code == 200
    table = overview_table(response.content)
    assert table.headings == [
        "部门",
        "状态",
        "得分",
        "等级",
        "预算执行率",
        "提交时间",
        "审核时间",
        "逾期",
        "最近审核意见",
        "文件",
    ]
    assert list(table.rows) == ["b-fgj", "c-jyj", "d-mzj", "e-czj", "test-dept"]
    assert table.rows["test-dept"] == {
        "部门": "测试区示例局 test-dept",
        "状态": "已审核",
        "得分": "93.70",
        "等级": "优秀",
        "预算执行率": "87.4%",
        "提交时间": event_date(district.approved, "submitted"),
        "审核时间": event_date(district.approved, "approved"),
        "逾期": "—",
        "最近审核意见": "同意。",
        "文件": "附件2（Word） · 附件1（Word）",
    }
    assert table.rows["b-fgj"] == {
        "部门": "乙区发展和改革局 b-fgj",
        "状态": "已提交",
        "得分": "68.70",
        "等级": "中",
        "预算执行率": "87.4%",
        "提交时间": event_date(district.submitted, "submitted"),
        "审核时间": "—",
        "逾期": "—",
        "最近审核意见": "—",
        "文件": "附件2（Word） · 附件1（Word）",
    }
    # Computed 75.00 (中); the department typed 优秀 with a reason: both are shown.
    assert table.rows["c-jyj"]["状态"] == "已退回"
    assert table.rows["c-jyj"]["得分"] == "75.00"
    assert table.rows["c-jyj"]["等级"] == "中（自评为优秀）"
    assert table.rows["c-jyj"]["预算执行率"] == "50.0%"
    assert table.rows["c-jyj"]["最近审核意见"] == "请补充重点工作任务的完成情况。"
    assert table.rows["d-mzj"] == {
        "部门": "丁区民政局 d-mzj",
        "状态": "草稿",
        "得分": "—",
        "等级": "未评",
        "预算执行率": "—",
        "提交时间": "—",
        "审核时间": "—",
        "逾期": "—",
        "最近审核意见": "—",
        "文件": "附件2（Word） · 附件1（Word）",
    }
    assert table.rows["e-czj"]["状态"] == "未新建"
    assert table.rows["e-czj"]["文件"] == "—"
    assert "f-tjj" not in table.rows  # has a 2024 evaluation but takes no part


def test_scores_are_those_the_evaluation_page_computes(district, auditor):
    table = overview_table(auditor.get(overview_url(district.round)).content)

    for evaluation in (district.approved, district.submitted, district.returned):
        summary = evaluation_scorecard(evaluation=evaluation).summary
        assert table.rows[evaluation.department.code]["得分"] == str(summary.total)


def test_counts_per_state_grade_and_deadline_are_shown_with_the_totals(district, auditor):
    response = auditor.get(overview_url(district.round))
    text = response.content.decode()

    filters = {
        group.label: {link.label: link.count for link in group.links}
        for group in response.context["filters"]
    }
    assert filters["状态"] == {
        "全部": 5,
        "未新建": 1,
        "草稿": 1,
        "已退回": 1,
        "已提交": 1,
        "已审核": 1,
    }
    assert filters["等级"] == {"全部": 5, "优秀": 1, "良好": 0, "中": 2, "差": 0, "未评": 2}
    assert filters["逾期"] == {"全部": 5, "逾期未提交": 0, "逾期提交": 0, "未逾期": 5}
    assert "参加部门 <strong>5</strong> 个" in text
    # 8727.19 × 2 + 1000.00 (the draft has no figures); 7627.19 × 2 + 500.00.
    assert "全年预算数合计 <strong>18454.38</strong> 万元" in text
    assert "执行数合计 <strong>15754.38</strong> 万元" in text
    assert "总执行率 <strong>85.4%</strong>" in text
    assert "（还有 10 天）" in text


def test_filters_and_sorting_are_links_that_keep_each_other(district, auditor):
    url = overview_url(district.round)

    by_state = overview_table(auditor.get(url + "?state=submitted").content)
    by_grade = overview_table(auditor.get(url + "?grade=fair&o=-score").content)
    by_rate = overview_table(auditor.get(url + "?o=rate").content)
    unknown = overview_table(auditor.get(url + "?state=nonsense&o=nonsense").content)

    assert list(by_state.rows) == ["b-fgj"]
    assert list(by_grade.rows) == ["c-jyj", "b-fgj"]  # 75.00 before 68.70
    # Ascending, departments without a rate last.
    assert list(by_rate.rows) == ["c-jyj", "b-fgj", "test-dept", "d-mzj", "e-czj"]
    assert list(unknown.rows) == ["b-fgj", "c-jyj", "d-mzj", "e-czj", "test-dept"]
    page = auditor.get(url + "?grade=fair&o=-score")
    headings = {h.label: h.url for h in page.context["headings"]}
    assert headings["得分"] == "?grade=fair&o=score"  # the sorted column turns around
    assert headings["部门"] == "?grade=fair&o=code"
    downloads = [link.url for link in page.context["downloads"]]
    assert downloads[0].endswith("overview/summary.xlsx?grade=fair")


def test_rows_link_to_the_evaluation_page_and_its_documents(district, auditor):
    table = overview_table(auditor.get(overview_url(district.round)).content)

    assert table.links["b-fgj"] == [
        f"/admin/evaluations/evaluation/{district.submitted.pk}/change/",
        "/reports/b-fgj/2024.pdf",
        "/reports/b-fgj/2024.docx",
        "/reports/b-fgj/2024/appendix1.pdf",
        "/reports/b-fgj/2024/appendix1.docx",
    ]
    assert "e-czj" not in table.links


def test_both_charts_are_drawn_as_svg_with_a_bar_per_grade_and_a_column_per_rate(district, auditor):
    text = auditor.get(overview_url(district.round)).content.decode()

    grades = re.findall(r'<g class="grade-group" data-grade="(\w+)"><title>([^<]+)</title>', text)
    assert grades == [
        ("excellent", "优秀：1 个部门"),
        ("good", "良好：0 个部门"),
        ("fair", "中：2 个部门"),
        ("poor", "差：0 个部门"),
        ("none", "未评：2 个部门"),
    ]
    columns = re.findall(
        r'<rect class="rate-column( rate-below)?"[^>]*><title>([^<]+)</title>', text
    )
    assert columns == [
        (" rate-below", "丙区教育局：50.0%"),
        (" rate-below", "乙区发展和改革局：87.4%"),
        (" rate-below", "测试区示例局：87.4%"),
    ]
    assert re.search(r'<line class="target-line"[^>]*stroke-dasharray="6 4"', text)
    assert "最低 50.0%：丙区教育局" in text
    assert "最高 87.4%：测试区示例局" in text
    assert " style=" not in text.split('id="content-main"')[1]
