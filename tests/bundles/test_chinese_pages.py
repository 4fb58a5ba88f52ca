"""The bundle pages speak Chinese to fillers and auditors, in every state of a bundle (the
site-wide crawl of tests/test_english_sweep.py starts where no bundle exists yet)."""

from django.urls import reverse

from bundles.models import Bundle
from tests.test_english_sweep import ALLOWED, WORD, VisibleText, allowed_word, data_words


def english_on(client, url: str, allowed: set[str]) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = VisibleText()
    parser.feed(response.content.decode())
    return sorted(
        {w for s in parser.strings for w in WORD.findall(s) if not allowed_word(w, allowed)}
    )


def test_no_english_on_the_bundle_pages_in_any_state(make_user, three_approved, build):
    auditor = make_user("auditor", role="auditor", department=three_approved[0].department)
    filler = make_user("filler", role="filler", department=three_approved[0].department)
    bundles = {auditor: [build(auditor.user, ["dept-a", "dept-b"])], filler: []}
    bundles[filler].append(build(filler.user, ["dept-a"]))
    for status in (Bundle.Status.QUEUED, Bundle.Status.BUILDING, Bundle.Status.FAILED):
        bundles[auditor].append(
            Bundle.objects.create(
                requested_by=auditor.user,
                year=2023,
                department_codes=["dept-c"],
                total=1,
                done=0,
                status=status,
                error="广州市丙区卫生健康局的附件2 自评报告生成失败。",
            )
        )
    allowed = ALLOWED | data_words() | {"auditor", "filler"}

    for client, own in bundles.items():
        urls = [
            "/admin/bundles/",
            "/admin/bundles/bundle/",
            "/admin/bundles/bundle/?status__exact=done",
            "/admin/bundles/bundle/add/",
            "/admin/bundles/bundle/add/?year=2023&codes=dept-a",
            *(reverse("admin:bundles_bundle_change", args=[b.pk]) for b in own),
            *(reverse("admin:bundles_bundle_delete", args=[b.pk]) for b in own),
            *(reverse("admin:bundles_bundle_history", args=[b.pk]) for b in own),
        ]
        found = {url: words for url in urls if (words := english_on(client, url, allowed))}
        assert found == {}
