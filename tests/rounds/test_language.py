"""The round's pages speak Chinese, as the English-word sweep (tests/test_english_sweep.py)
requires of every page: the overview (charts included), its filters, the round's list and pages,
for an auditor and for an administrator."""

import json

from tests.rounds.conftest import overview_url
from tests.test_english_sweep import ALLOWED, WORD, VisibleText, allowed_word, data_words


def english_words(client, url: str, allowed: set[str]) -> list[str]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    parser = VisibleText()
    parser.feed(response.content.decode())
    assert parser.strings, url
    return sorted(
        {w for s in parser.strings for w in WORD.findall(s) if not allowed_word(w, allowed)}
    )


def test_the_round_pages_have_no_english_words(district, auditor, administrator):
    allowed = ALLOWED | data_words() | {"district", "auditor", "bureau", "admin"}
    round_id = district.round.pk
    pages = {
        auditor: [
            overview_url(district.round),
            overview_url(district.round) + "?state=missing&lateness=overdue&grade=none&o=-rate",
            "/admin/rounds/round/",
            f"/admin/rounds/round/{round_id}/change/",
            "/admin/rounds/round/latest/overview/",
            "/admin/",
        ],
        administrator: [
            "/admin/rounds/round/add/",
            f"/admin/rounds/round/{round_id}/change/",
            "/admin/evaluations/department/",
        ],
    }

    found = {
        url: words
        for client, urls in pages.items()
        for url in urls
        if (words := english_words(client, url, allowed))
    }

    assert found == {}


def test_the_departments_chooser_speaks_chinese_where_django_does_not_yet(district, administrator):
    page = administrator.get("/admin/rounds/round/add/").content.decode()
    catalogue = administrator.get("/admin/rounds/round/jsi18n/").content.decode()

    # After the admin's catalogue, before jquery.init.js replaces `window.django`.
    scripts = [
        page.index('src="/admin/jsi18n/"'),
        page.index('src="/admin/rounds/round/jsi18n/"'),
        page.index("admin/js/jquery.init.js"),
    ]
    assert scripts == sorted(scripts)
    for chinese in ("全部选择%s", "全部移除%s", "在下框中选中%s，然后点击“选择”箭头加入。"):
        assert json.dumps(chinese)[1:-1] in catalogue  # as the catalogue writes it
