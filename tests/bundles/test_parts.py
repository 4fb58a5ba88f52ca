"""Departments to render are split into parts that any worker may take: the builder renders a
part itself when it needs it, uses what other workers rendered, helps with a later part while
another worker renders the one it needs, and takes over a part whose worker died. Each
department is rendered once. (Rendering is replaced by a stand-in here: the members test
renders real PDFs.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from bundles import archive, services
from bundles.models import Bundle, BundlePart
from bundles.signals import department_written
from evaluations.factories import DepartmentFactory, EvaluationFactory
from tests.bundles.conftest import drain, members

CODES = ["part-1", "part-2", "part-3"]


def fake_pdf(code: str, appendix: int, who: str = "builder", fmt: str = "pdf") -> bytes:
    return f"%{fmt} {code} 附件{appendix} rendered by {who}".encode()


def each_file(*codes: str) -> list[str]:
    """The departments as the stand-in records them: once per file (2 documents × PDF, Word)."""
    return [code for code in codes for _ in range(4)]


@pytest.fixture
def drafts(db, settings):
    settings.BUNDLE_PART_SIZE = 1
    return [
        EvaluationFactory.create(
            department=DepartmentFactory.create(code=code, full_name=f"示例局{code}"), year=2023
        )
        for code in CODES
    ]


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The departments rendered, in order (one entry per file)."""
    calls: list[str] = []

    def render(document, evaluation, fmt):
        calls.append(evaluation.department.code)
        return fake_pdf(evaluation.department.code, document.appendix, fmt=fmt)

    monkeypatch.setattr(services, "_render", render)
    return calls


@pytest.fixture
def auditor(make_user, drafts):
    return make_user("auditor", role="auditor", department=drafts[0].department)


@pytest.fixture
def on_written():
    receivers = []

    def connect(receiver):
        department_written.connect(receiver)
        receivers.append(receiver)

    yield connect
    for receiver in receivers:
        department_written.disconnect(receiver)


def document_names(bundle: Bundle) -> dict[str, bytes]:
    return {
        name.rsplit("/", 2)[1].split(" ")[0] + "/" + name.rsplit("/", 1)[1][:3]: content
        for name, content in members(services.bundle_path(bundle.pk)).items()
        if name.endswith(".pdf")
    }


def test_one_worker_renders_every_part_in_turn_once(auditor, rendered, build):
    bundle = build(auditor.user, CODES)

    assert bundle.status == Bundle.Status.DONE
    assert rendered == each_file("part-1", "part-2", "part-3")
    assert list(BundlePart.objects.values_list("number", "department_codes", "status")) == [
        (1, ["part-1"], "done"),
        (2, ["part-2"], "done"),
        (3, ["part-3"], "done"),
    ]
    assert document_names(bundle)["part-2/附件2"] == fake_pdf("part-2", 2)


def test_a_part_rendered_by_another_worker_is_used_not_rendered_again(
    auditor, rendered, build, on_written
):
    def other_worker(sender, bundle_id, done, **kwargs):
        if done == 1:  # meanwhile another worker takes the task of the last part
            part = BundlePart.objects.get(bundle_id=bundle_id, number=3)
            services.bundle_part_render(part_id=part.pk)

    on_written(other_worker)
    bundle = build(auditor.user, CODES)

    assert bundle.status == Bundle.Status.DONE
    assert rendered == each_file("part-1", "part-3", "part-2")
    assert len(document_names(bundle)) == 6


def test_the_builder_helps_with_a_later_part_while_another_worker_renders_the_next(
    auditor, rendered, build, on_written, monkeypatch
):
    def busy_elsewhere(sender, bundle_id, done, **kwargs):
        if done == 1:  # another worker has just taken part 2
            BundlePart.objects.filter(bundle_id=bundle_id, number=2).update(
                status=BundlePart.Status.RUNNING, runner="other", heartbeat_at=timezone.now()
            )

    waits = []

    def wait(seconds):
        """The other worker finishes part 2 while the builder waits."""
        waits.append(seconds)
        part = BundlePart.objects.get(number=2)
        for appendix in (1, 2):
            for fmt in ("pdf", "docx"):
                archive.write_atomically(
                    services.rendered_path(part.bundle_id, "part-2", appendix, fmt),
                    "other",
                    fake_pdf("part-2", appendix, "other", fmt),
                )
        BundlePart.objects.filter(pk=part.pk).update(status=BundlePart.Status.DONE)

    on_written(busy_elsewhere)
    monkeypatch.setattr(services.time, "sleep", wait)
    bundle = build(auditor.user, CODES)

    assert bundle.status == Bundle.Status.DONE
    assert rendered == each_file("part-1", "part-3")  # part 3 while part 2 was busy
    assert waits == [services.WAIT_SECONDS]
    names = document_names(bundle)
    assert names["part-2/附件1"] == fake_pdf("part-2", 1, "other")
    assert list(names) == [f"{code}/附件{n}" for code in CODES for n in (1, 2)]


def test_a_part_whose_worker_died_is_taken_over(auditor, rendered, build, on_written):
    def died_elsewhere(sender, bundle_id, done, **kwargs):
        if done == 1:  # part 2's worker was killed three minutes ago
            BundlePart.objects.filter(bundle_id=bundle_id, number=2).update(
                status=BundlePart.Status.RUNNING,
                runner="killed",
                heartbeat_at=timezone.now() - timedelta(minutes=3),
            )

    on_written(died_elsewhere)
    bundle = build(auditor.user, CODES)

    assert bundle.status == Bundle.Status.DONE
    assert rendered == each_file("part-1", "part-2", "part-3")


def test_rendered_parts_survive_a_killed_builder_and_are_not_rendered_again(
    auditor, rendered, on_written, django_capture_on_commit_callbacks
):
    class Killed(BaseException):
        """Stands for SIGKILL: nothing of the builder's runs after it."""

    def kill(sender, done, **kwargs):
        if done == 2:
            raise Killed

    bundle = services.bundle_create(user=auditor.user, year=2023, department_codes=CODES)
    on_written(kill)
    with pytest.raises(Killed):
        services.bundle_build(bundle_id=bundle.pk)
    department_written.disconnect(kill)
    bundle.refresh_from_db()
    assert (bundle.status, bundle.done) == (Bundle.Status.BUILDING, 2)
    Bundle.objects.filter(pk=bundle.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    rendered.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.bundle_requeue_if_stale(bundle_id=bundle.pk)
    drain(django_capture_on_commit_callbacks)

    bundle.refresh_from_db()
    assert (bundle.status, bundle.attempts) == (Bundle.Status.DONE, 2)
    assert rendered == each_file("part-3")
    assert len(document_names(bundle)) == 6
