"""Sections other apps add to a page through a named slot (twinning.core.sections)."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from twinning.core import sections
from twinning.core.sections import Section, register_section, sections_for


@pytest.fixture
def clean_slot(monkeypatch):
    registry = {slot: dict(found) for slot, found in sections._registry.items()}
    monkeypatch.setattr(sections, "_registry", registry)
    return registry


def render(obj):
    request = RequestFactory().get("/")
    return Template('{% load core %}{% page_sections "institution" obj %}').render(
        Context({"request": request, "obj": obj})
    )


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError):
        register_section(Section("nowhere", "x", "t.html", lambda request, obj: {}))


def test_sections_render_in_order_and_a_none_context_shows_nothing(clean_slot, settings, tmp_path):
    (tmp_path / "a.html").write_text("<p>A {{ name }}</p>")
    (tmp_path / "b.html").write_text("<p>B</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    clean_slot["institution"] = {}
    register_section(Section("institution", "b", "b.html", lambda request, obj: {}, order=20))
    register_section(Section("institution", "a", "a.html", lambda request, obj: {"name": obj}, order=10))
    register_section(Section("institution", "hidden", "b.html", lambda request, obj: None, order=5))
    assert [s.key for s in sections_for("institution")] == ["hidden", "a", "b"]
    assert render("<x>") == "<p>A &lt;x&gt;</p><p>B</p>"


def test_a_failing_section_is_left_out_and_the_page_still_renders(clean_slot, settings, tmp_path):
    (tmp_path / "ok.html").write_text("ok")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    clean_slot["institution"] = {}

    def broken(request, obj):
        raise RuntimeError("boom")

    register_section(Section("institution", "broken", "ok.html", broken, order=1))
    register_section(Section("institution", "fine", "ok.html", lambda request, obj: {}, order=2))
    assert render(None) == "ok"
