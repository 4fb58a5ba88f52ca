"""Writes of the bundles app: asking for a ZIP, building it (the bodies of the background tasks
in tasks.py), putting back a build whose worker died, and deleting a bundle.

How a build survives workers that die, and shares work between workers:

- Whoever builds a bundle or renders a part first claims it with a token of its own (a
  conditional UPDATE: only one claimant wins) and then proves it is alive by a heartbeat after
  every department. Every later write is conditional on still holding the token; a runner that
  lost it (the bundle was put back in the queue, or deleted) stops at its next department.
- The ZIP is written under a temporary name of the runner's own, fsynced and renamed; the
  bundle is marked 已完成 only after the rename. A killed worker leaves a temporary file and a
  bundle 生成中 whose heartbeat stops: after BUNDLE_STALE_SECONDS it is put back in the queue
  (when its progress page is polled, or by `manage.py requeue_stale_bundles`), the temporary
  file is discarded, and a new task builds it afresh. Running any task twice is harmless: a
  task that cannot claim its bundle or part returns.
- Departments whose files were not all stored at approval are rendered in parts of
  BUNDLE_PART_SIZE departments, one task each, into the bundle's work folder (each file
  written atomically). The builder writes the ZIP in department order; when the next
  department is not rendered yet it renders a part itself (or waits for the worker rendering
  it, or takes over a part whose worker died). One worker thus renders everything in turn;
  several share the parts. Rendered files survive a killed builder, so a retry does not
  render them again.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bundles import archive, selectors, tasks
from bundles.models import Bundle, BundlePart
from bundles.signals import department_written
from evaluations import access
from evaluations.models import Evaluation
from evaluations.reports.pdf import RenderError
from review import documents
from rounds.summary import summary_xlsx

logger = logging.getLogger(__name__)

# How often a builder waiting for another worker's part looks for its files, and at most how
# often it says meanwhile that it is alive.
WAIT_SECONDS = 0.2
WAIT_HEARTBEAT_SECONDS = 5.0


class BuildError(Exception):
    """A department's document could not be rendered; the message (Chinese, naming the
    department and the document) is shown on the bundle's page."""


class Superseded(Exception):
    """This runner no longer holds its bundle or part (put back in the queue, taken over
    after its heartbeat stopped, or deleted): it stops, leaving everything to the holder."""


def _token() -> str:
    return secrets.token_hex(16)


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.BUNDLE_STALE_SECONDS)


# --- where the files are -------------------------------------------------------------------


def bundle_folder() -> Path:
    return Path(settings.BUNDLE_DIR)


def bundle_path(bundle_id: int) -> Path:
    return bundle_folder() / f"{bundle_id}.zip"


def work_folder(bundle_id: int) -> Path:
    return bundle_folder() / "work" / str(bundle_id)


def rendered_path(bundle_id: int, code: str, appendix: int, fmt: str) -> Path:
    return work_folder(bundle_id) / f"{code}.{appendix}.{fmt}"


def _rendered(bundle_id: int, code: str) -> bool:
    return all(
        rendered_path(bundle_id, code, document.appendix, fmt).exists()
        for document, fmt in selectors.FILES
    )


# --- asking for a bundle -------------------------------------------------------------------


@transaction.atomic
def bundle_create(*, user: access.AnyUser, year: int, department_codes: Iterable[str]) -> Bundle:
    """A bundle of these departments' documents of the year, queued for a worker (the task
    is enqueued once the transaction commits). Departments the user may not see are reported
    as not found, like those that do not exist."""
    if access.role_of(user) is None or user.pk is None:
        raise PermissionDenied("您没有权限打包下载报告。")
    codes = sorted(set(department_codes))
    if not codes:
        raise ValidationError("请至少选择一个部门。", code="empty")
    found = set(
        access.evaluations_visible_to(user)
        .filter(year=year, department__code__in=codes)
        .values_list("department__code", flat=True)
    )
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            f"没有找到以下部门 {year} 年度的自评：{'、'.join(missing)}。", code="not_found"
        )
    bundle = Bundle(
        requested_by_id=user.pk,
        year=year,
        department_codes=codes,
        total=len(codes),
        # The 汇总表 is for those who see every department, as the year's overview is.
        with_summary=access.sees_every_department(user),
    )
    bundle.full_clean()
    bundle.save()
    transaction.on_commit(lambda: tasks.build_bundle.enqueue(bundle.pk))
    return bundle


def bundle_delete(*, bundle: Bundle) -> None:
    """The bundle and its files. A worker building it stops at its next department."""
    bundle_id = bundle.pk
    bundle.delete()
    _remove_files(bundle_id)


def _remove_files(bundle_id: int) -> None:
    final = bundle_path(bundle_id)
    final.unlink(missing_ok=True)
    archive.discard_temp_files(final)
    shutil.rmtree(work_folder(bundle_id), ignore_errors=True)


# --- putting back a build whose worker died ---------------------------------------------------


def bundle_requeue_if_stale(*, bundle_id: int, now: datetime | None = None) -> bool:
    """If the bundle is 生成中 but its builder has given no sign of life for
    BUNDLE_STALE_SECONDS (its worker was killed, or its machine lost), put it back in the queue
    with a new task and discard the half-written file; after BUNDLE_MAX_ATTEMPTS starts, mark it
    失败 instead. Returns whether it did either. Safe to call at any time, from anywhere."""
    now = now or timezone.now()
    stale = Bundle.objects.filter(
        pk=bundle_id, status=Bundle.Status.BUILDING, heartbeat_at__lt=_stale_before(now)
    )
    with transaction.atomic():
        bundle = stale.select_for_update().first()
        if bundle is None:
            return False
        if bundle.attempts >= settings.BUNDLE_MAX_ATTEMPTS:
            stale.update(
                status=Bundle.Status.FAILED,
                runner="",
                finished_at=now,
                error=(
                    f"生成过程已中断 {bundle.attempts} 次（后台任务进程停止），不再自动重试。"
                    "请重新打包；如果仍然失败，请联系系统管理员。"
                ),
            )
            logger.error(
                "Bundle %s failed: its build was interrupted %s times", bundle_id, bundle.attempts
            )
            transaction.on_commit(lambda: _discard_work(bundle_id))
        else:
            # heartbeat_at: queued again since now (the page tells when no worker takes it).
            stale.update(status=Bundle.Status.QUEUED, runner="", done=0, heartbeat_at=now)
            transaction.on_commit(lambda: tasks.build_bundle.enqueue(bundle_id))
            logger.warning(
                "Bundle %s requeued: no heartbeat since %s (attempt %s)",
                bundle_id,
                bundle.heartbeat_at,
                bundle.attempts,
            )
    archive.discard_temp_files(bundle_path(bundle_id))
    return True


def bundles_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Every stale bundle put back (or failed); their ids."""
    now = now or timezone.now()
    candidates = Bundle.objects.filter(
        status=Bundle.Status.BUILDING, heartbeat_at__lt=_stale_before(now)
    ).values_list("pk", flat=True)
    return [pk for pk in list(candidates) if bundle_requeue_if_stale(bundle_id=pk, now=now)]


# --- building ------------------------------------------------------------------------------


def _claim_bundle(bundle_id: int, token: str) -> Bundle | None:
    """The bundle, now held by `token`, if it is queued (or its builder's heartbeat stopped);
    None if another runner holds it or it is finished."""
    now = timezone.now()
    claimable = Q(status=Bundle.Status.QUEUED) | Q(
        status=Bundle.Status.BUILDING, heartbeat_at__lt=_stale_before(now)
    )
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().filter(claimable, pk=bundle_id).first()
        if bundle is None:
            return None
        if bundle.attempts >= settings.BUNDLE_MAX_ATTEMPTS:
            bundle.status = Bundle.Status.FAILED
            bundle.runner = ""
            bundle.finished_at = now
            bundle.error = (
                "生成过程多次中断，不再自动重试。请重新打包；如果仍然失败，请联系系统管理员。"
            )
            bundle.save(update_fields=["status", "runner", "finished_at", "error"])
            transaction.on_commit(lambda: _discard_work(bundle_id))
            return None
        bundle.status = Bundle.Status.BUILDING
        bundle.runner = token
        bundle.attempts += 1
        bundle.started_at = now
        bundle.heartbeat_at = now
        bundle.done = 0
        bundle.error = ""
        bundle.save(
            update_fields=[
                "status",
                "runner",
                "attempts",
                "started_at",
                "heartbeat_at",
                "done",
                "error",
            ]
        )
    return bundle


def _holding(bundle_id: int, token: str) -> Bundle | None:
    return Bundle.objects.filter(pk=bundle_id, runner=token).first()


def bundle_build(*, bundle_id: int) -> None:
    """The body of tasks.build_bundle: the ZIP of the bundle, or nothing if another runner
    holds the bundle or it is finished (so a duplicate or late task is harmless)."""
    token = _token()
    bundle = _claim_bundle(bundle_id, token)
    if bundle is None:
        logger.info("Bundle %s: nothing to do (finished, or held by another worker)", bundle_id)
        return
    final = bundle_path(bundle.pk)
    archive.discard_temp_files(final)  # left by a killed attempt
    try:
        with archive.atomic_file(final, token) as stream:
            written = _write_archive(bundle, token, stream)
    except Superseded:
        logger.warning("Bundle %s: another worker took over; this one stopped", bundle_id)
        return
    except BuildError as error:
        logger.exception("Bundle %s failed", bundle_id)
        _fail(bundle, token, str(error))
        return
    except Exception:
        if _holding(bundle_id, token) is None:  # our files were discarded under us
            logger.warning("Bundle %s: another worker took over; this one stopped", bundle_id)
            return
        logger.exception("Bundle %s failed", bundle_id)
        _fail(
            bundle,
            token,
            "生成压缩包时出错，错误已记录。请重新打包；如果仍然失败，请联系系统管理员。",
        )
        raise
    now = timezone.now()
    finished = Bundle.objects.filter(pk=bundle.pk, runner=token).update(
        status=Bundle.Status.DONE,
        runner="",
        total=written,
        done=written,
        heartbeat_at=now,
        finished_at=now,
        size=final.stat().st_size,
    )
    if finished:
        shutil.rmtree(work_folder(bundle.pk), ignore_errors=True)
        logger.info("Bundle %s built: %s departments", bundle_id, written)
    elif not Bundle.objects.filter(pk=bundle.pk).exists():
        _remove_files(bundle.pk)  # deleted while we wrote


def _fail(bundle: Bundle, token: str, message: str) -> None:
    if Bundle.objects.filter(pk=bundle.pk, runner=token).update(
        status=Bundle.Status.FAILED, runner="", finished_at=timezone.now(), error=message
    ):
        _discard_work(bundle.pk)


def _discard_work(bundle_id: int) -> None:
    """What a failed bundle leaves: its half-written ZIP and its rendered files."""
    archive.discard_temp_files(bundle_path(bundle_id))
    shutil.rmtree(work_folder(bundle_id), ignore_errors=True)


def _beat(bundle: Bundle, token: str, **fields: object) -> None:
    if not Bundle.objects.filter(pk=bundle.pk, runner=token).update(
        heartbeat_at=timezone.now(), **fields
    ):
        raise Superseded


def _write_archive(bundle: Bundle, token: str, stream: BinaryIO) -> int:
    """Writes the ZIP; returns the number of departments in it."""
    entries = selectors.bundle_entries(bundle)
    if len(entries) != bundle.total:
        _beat(bundle, token, total=len(entries))
        bundle.total = len(entries)
    parts = _parts_for(bundle, [entry.code for entry in entries if not entry.stored])
    part_of = {code: part for part in parts for code in part.department_codes}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive_file:
        if bundle.with_summary:
            archive_file.writestr(
                archive.member_info(archive.summary_member(bundle.year), bundle.created_at),
                summary_xlsx(year=bundle.year, department_codes=[entry.code for entry in entries]),
            )
        written = 0
        last_beat = time.monotonic()

        def write_ready() -> None:
            """Writes, in order, every next department whose files are at hand."""
            nonlocal written, last_beat
            while written < len(entries):
                entry = entries[written]
                if not (entry.stored or _rendered(bundle.pk, entry.code)):
                    return
                _write_entry(archive_file, bundle, entry)
                written += 1
                _beat(bundle, token, done=written)
                last_beat = time.monotonic()
                department_written.send(
                    sender=Bundle, bundle_id=bundle.pk, done=written, total=len(entries)
                )

        write_ready()
        while written < len(entries):
            waiting_for = part_of[entries[written].code]
            part = _claim_part_for(bundle, waiting_for, parts, token)
            if part is not None:
                _render_part(part, token, after_each=write_ready)
            elif BundlePart.objects.filter(pk=waiting_for.pk, status=BundlePart.Status.DONE).update(
                status=BundlePart.Status.PENDING
            ):
                # Marked done, yet its files are gone (removed by hand): render it again.
                continue
            else:
                # Another worker is rendering the next part: wait for its files.
                time.sleep(WAIT_SECONDS)
                if time.monotonic() - last_beat > WAIT_HEARTBEAT_SECONDS:
                    _beat(bundle, token)
                    last_beat = time.monotonic()
            write_ready()
    return written


def _write_entry(archive_file: zipfile.ZipFile, bundle: Bundle, entry: selectors.Entry) -> None:
    evaluation = entry.evaluation
    department = evaluation.department
    for document, fmt in selectors.FILES:
        filename = document.filename(evaluation, fmt)
        if entry.stored:
            stored = documents.stored(document, evaluation, fmt)
            if stored is None:  # only if the stored files were removed since the bundle began
                raise BuildError(f"{department.full_name}的{document.title}审定文件缺失。")
            content = stored.content()
        else:
            content = rendered_path(bundle.pk, department.code, document.appendix, fmt).read_bytes()
        name = archive.document_member(
            bundle.year, department.code, department.full_name, document.appendix, filename
        )
        archive_file.writestr(archive.member_info(name, evaluation.updated_at), content)


# --- the parts that need rendering ---------------------------------------------------------


def _parts_for(bundle: Bundle, codes: list[str]) -> list[BundlePart]:
    """The bundle's parts: those an earlier attempt made (their rendered files are kept), or
    new ones, each enqueued as a task so that idle workers help."""
    parts = list(bundle.parts.all())
    covered = {code for part in parts for code in part.department_codes}
    # Departments never rendered but missing from the parts (parts are made once, and the
    # set to render only shrinks as evaluations are approved); made a part of their own.
    new_codes = [code for code in codes if code not in covered]
    if not new_codes:
        return parts
    size = max(1, settings.BUNDLE_PART_SIZE)
    first = max((part.number for part in parts), default=0) + 1
    new_parts = [
        BundlePart(
            bundle=bundle, number=first + index, department_codes=new_codes[start : start + size]
        )
        for index, start in enumerate(range(0, len(new_codes), size))
    ]
    for part in new_parts:
        part.full_clean(exclude=["bundle"])
    with transaction.atomic():
        BundlePart.objects.bulk_create(new_parts)
        part_ids = [part.pk for part in new_parts]

        def enqueue() -> None:
            for part_id in part_ids:
                tasks.render_bundle_part.enqueue(part_id)

        transaction.on_commit(enqueue)
    return parts + new_parts


def _claim_part(part_id: int, token: str, *, only_for_bundle_runner: str | None = None) -> bool:
    """Takes a part that is waiting, or whose renderer's heartbeat stopped, for `token`."""
    now = timezone.now()
    claimable = Q(status=BundlePart.Status.PENDING) | Q(
        status=BundlePart.Status.RUNNING, heartbeat_at__lt=_stale_before(now)
    )
    active = [Bundle.Status.QUEUED, Bundle.Status.BUILDING]
    parts = BundlePart.objects.filter(claimable, pk=part_id, bundle__status__in=active)
    if only_for_bundle_runner is not None:
        parts = parts.filter(bundle__runner=only_for_bundle_runner)
    return bool(parts.update(status=BundlePart.Status.RUNNING, runner=token, heartbeat_at=now))


def _claim_part_for(
    bundle: Bundle, needed: BundlePart, parts: list[BundlePart], token: str
) -> BundlePart | None:
    """The part the builder should render now: the one it needs next if nobody renders it,
    else any part nobody renders (helping the others), else None (then it waits)."""
    if _claim_part(needed.pk, token, only_for_bundle_runner=token):
        return needed
    for part in parts:
        if part.number > needed.number and _claim_part(
            part.pk, token, only_for_bundle_runner=token
        ):
            return part
    return None


def bundle_part_render(*, part_id: int) -> None:
    """The body of tasks.render_bundle_part: renders the part's departments into the bundle's
    work folder, or nothing if the part is done, taken, or its bundle finished."""
    token = _token()
    if not _claim_part(part_id, token):
        logger.info("Bundle part %s: nothing to do", part_id)
        return
    part = BundlePart.objects.select_related("bundle").get(pk=part_id)
    try:
        _render_part(part, token)
    except Superseded:
        logger.warning("Bundle part %s: another worker took over; this one stopped", part_id)
    except BuildError:
        # The builder meets the same error when it renders the part itself, and reports it
        # on the bundle; here the part is only given back.
        logger.exception("Bundle part %s failed", part_id)
        BundlePart.objects.filter(pk=part_id, runner=token).update(
            status=BundlePart.Status.PENDING, runner=""
        )


def _render_part(
    part: BundlePart, token: str, *, after_each: Callable[[], None] | None = None
) -> None:
    """Renders every department of the part not rendered yet (one file per document, each
    written atomically), beating the part's heartbeat after each; `after_each` lets the
    builder write what became ready."""
    bundle_id = part.bundle_id
    codes = [code for code in part.department_codes if not _rendered(bundle_id, code)]
    for code in codes:
        for document, fmt in selectors.FILES:
            archive.discard_temp_files(rendered_path(bundle_id, code, document.appendix, fmt))
    year = part.bundle.year
    loaded = selectors.evaluations_for_documents(year=year, codes=codes)
    for code in codes:
        evaluation = loaded.get(code)
        if evaluation is None:
            raise BuildError(f"部门 {code} 的 {year} 年度自评在打包期间被删除，请重新打包。")
        for document, fmt in selectors.FILES:
            content = _render(document, evaluation, fmt)
            archive.write_atomically(
                rendered_path(bundle_id, code, document.appendix, fmt), token, content
            )
        if not BundlePart.objects.filter(pk=part.pk, runner=token).update(
            heartbeat_at=timezone.now()
        ):
            raise Superseded
        if after_each is not None:
            after_each()
    BundlePart.objects.filter(pk=part.pk, runner=token).update(
        status=BundlePart.Status.DONE, runner="", heartbeat_at=timezone.now()
    )


def _render(document: documents.Document, evaluation: Evaluation, fmt: str) -> bytes:
    """The document's file through the registry: the stored bytes if the evaluation was
    approved meanwhile, else from the cache keyed by its content, rendered on a miss."""
    name = evaluation.department.full_name
    try:
        return documents.rendition(document, evaluation, fmt).content()
    except documents.DocumentTooLarge as error:
        raise BuildError(f"{name}的{document.title}：{error}") from error
    except RenderError as error:
        raise BuildError(
            f"{name}的{document.title}生成失败（服务器排版出错，例如缺少字体），错误已记录。"
            "请稍后重新打包；如果仍然失败，请联系系统管理员。"
        ) from error
