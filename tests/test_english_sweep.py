"""Every page a 填报人员 and a 审核人员 can reach speaks Chinese: a crawler follows each link from
the start page (the admin, the report preview, the history, the confirmation pages, the 404
page) and fails on any English word a user reads, except the names of things (PDF, XLSX, Word, SHA-256, the
user's own name, department codes) and what the departments wrote themselves (their data)."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from evaluations.models import Department, Evaluation
from indicators.factories import CompleteEvaluationFactory
from review import services as review_services
from review.consistency.selectors import evaluation_inconsistencies
from tests.helpers import hard_text_evaluation

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WORD = re.compile(r"[A-Za-z]{2,}")
# Names, not words: formats, the units and marks of the official documents, the admin's own
# abbreviations that Chinese users write in Latin letters too.
ALLOWED = {"PDF", "XLSX", "CSV", "XLS", "GBK", "UTF", "MB", "WORD", "SHA"}
# Pages a crawl does not open: downloads (not pages), signing out, and Django's JavaScript
# catalog (a script, not a page).
SKIPPED = re.compile(r"\.(pdf|xlsx|docx|csv)$|/logout/|/jsi18n/|/appendix1\.|^/static/")
MAX_PAGES = 250


class VisibleText(HTMLParser):
    """The strings a user reads on a page: text outside script/style/textarea, the labels of
    buttons, placeholders and titles (not the values of fields: those are the data)."""

    HIDDEN = {"script", "style", "textarea", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        values = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.strings.append(values["value"])
        for name in ("placeholder", "title", "aria-label"):
            if values.get(name):
                self.strings.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.strings.append(data.strip())


def data_words() -> set[str]:
    """The words the departments wrote (and their names and codes): shown as written."""
    words: set[str] = set()
    for evaluation in Evaluation.objects.all():
        for value in vars(evaluation).values():
            if isinstance(value, str):
                words |= set(WORD.findall(value))
        for related in ("departmentfunctions", "performancegoals", "keytasks", "problems"):
            for item in getattr(evaluation, related).all():
                words |= set(WORD.findall(item.text))
        for measure in evaluation.improvementmeasures.all():
            words |= set(WORD.findall(f"{measure.title} {measure.body}"))
        for row in evaluation.indicator_rows.all():
            words |= set(WORD.findall(f"{row.name} {row.unit} {row.deviation_reason}"))
    for department in Department.objects.all():
        words |= set(WORD.findall(f"{department.code} {department.name} {department.full_name}"))
    return words


def allowed_word(word: str, allowed: set[str]) -> bool:
    """A name (in any case: the format menu writes "xlsx"), or a word of the data, also cut
    short where a list shows an entry's first characters ("Guangzhou Liwan Dist…")."""
    return (
        word.upper() in ALLOWED
        or word in allowed
        or any(known.startswith(word) for known in allowed if len(word) >= 3)
    )


def crawl(client, start: list[str], allowed: set[str]) -> tuple[dict[str, list[str]], int, int]:
    """English words found per page, pages read, strings read."""
    queue, seen, found, strings = list(start), set(start), {}, 0
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = VisibleText()
        parser.feed(response.content.decode())
        strings += len(parser.strings)
        english = sorted(
            {w for s in parser.strings for w in WORD.findall(s) if not allowed_word(w, allowed)}
        )
        if english:
            found[url] = english
        for href in parser.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc or not target.path.startswith(("/admin/", "/reports/")):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            # One page per filter combination is enough: the query values change no label.
            key = re.sub(r"=[^&]*", "=", link)
            if key in seen or SKIPPED.search(target.path):
                continue
            seen.add(key)
            queue.append(link)
    return found, pages, strings


@pytest.fixture
def evaluations(db, roles) -> dict[str, Evaluation]:
    call_command("loaddata", "liwan_2023", verbosity=0)
    liwan = Department.objects.get(code="liwan-kgxj")
    return {
        "liwan": Evaluation.objects.get(department=liwan, year=2023),
        "waiting": CompleteEvaluationFactory(department=liwan, year=2024),
        "hard": hard_text_evaluation(),
    }


def test_no_english_on_any_page_a_filler_or_an_auditor_reaches(evaluations, make_user):
    liwan = evaluations["liwan"].department
    filler = make_user("liwan-filler", role="filler", department=liwan)
    auditor = make_user("district-auditor", role="auditor", department=liwan)
    waiting = evaluations["waiting"]
    # Its figures are the factory's, which are Liwan 2023's: kept, with a reason, so the pages
    # show a kept contradiction too.
    kept = evaluation_inconsistencies(evaluation=waiting)
    assert kept
    review_services.evaluation_transition(
        evaluation_id=waiting.pk,
        user=filler.user,
        action="submit",
        explanations={finding.key: "2024 年预算与上年持平，数据经核对无误。" for finding in kept},
    )
    allowed = ALLOWED | data_words() | {"liwan", "filler", "district", "auditor"}
    change = "/admin/evaluations/evaluation/{}/"
    starts = {
        "filler": (
            filler,
            [
                "/admin/",
                "/admin/no-such-page/",
                f"{change.format(evaluations['liwan'].pk)}transition/submit/",
                "/admin/password_change/",
            ],
        ),
        "auditor": (
            auditor,
            [
                "/admin/",
                f"{change.format(waiting.pk)}transition/approve/",
                f"{change.format(evaluations['hard'].pk)}change/",
                "/admin/password_change/",
            ],
        ),
    }
    report: dict[str, dict[str, object]] = {}
    failures: dict[str, dict[str, list[str]]] = {}
    for role, (client, start) in starts.items():
        found, pages, strings = crawl(client, start, allowed)
        report[role] = {"pages": pages, "strings": strings}
        if found:
            failures[role] = found
        assert pages >= 20, (role, pages)  # the crawl really walked the site

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "english-sweep.json").write_text(
        json.dumps({"checked": report, "found": failures}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert failures == {}
