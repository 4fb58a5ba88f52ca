"""The bundle pages keep the site's Content-Security-Policy: no inline script, style or event
handler in their templates (tests/test_production.py scans templates/; the app's own templates
are scanned here), their script and style are static files, and the pages answer with the
site's policy."""

from pathlib import Path

from django.contrib.staticfiles import finders

from tests.test_production import INLINE_CODE

TEMPLATES = Path(__file__).resolve().parents[2] / "bundles" / "templates"


def test_no_bundle_template_has_an_inline_script_style_or_event_handler():
    found = {
        str(path.relative_to(TEMPLATES)): INLINE_CODE.findall(path.read_text())
        for path in TEMPLATES.rglob("*.html")
    }

    assert len(found) == 2
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_pages_scripts_and_style_are_static_files():
    for name in ("bundles/progress.js", "bundles/select-all.js", "bundles/bundles.css"):
        assert finders.find(name) is not None, name


def test_the_bundle_page_answers_with_the_site_policy(make_user, three_approved):
    auditor = make_user("auditor", role="auditor", department=three_approved[0].department)

    response = auditor.get("/admin/bundles/bundle/add/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert (
        '<script src="/static/bundles/select-all.js" defer></script>' in response.content.decode()
    )
