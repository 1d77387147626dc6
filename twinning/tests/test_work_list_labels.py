"""On a phone a work-list table stacks, each cell led by its label (the style sheet shows the cell's data-label).
The separator between label and value is the reader's language's (French puts a no-break space before the colon):
it comes with the label from the template's {% colon %}, and the style sheet adds nothing of its own."""

import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from twinning.core.work import WorkItem

PACKAGE = Path(__file__).resolve().parent.parent
ITEM = WorkItem(
    kind="report", label="Results for 2024Q1", url="/x/", partnership="Gulu–Leeds", period="2024Q1"
)


def test_the_labels_of_my_work_carry_the_readers_separator():
    with translation.override("en"):
        english = render_to_string("includes/work_list.html", {"work": [ITEM]})
    with translation.override("fr"):
        french = render_to_string("includes/work_list.html", {"work": [ITEM]})
    assert 'data-label="What: "' in english and 'data-label="Due: "' in english
    assert 'data-label="Quoi\u00a0: "' in french and 'data-label="Échéance\u00a0: "' in french


def test_every_work_list_label_in_a_template_ends_with_the_separator_and_the_style_sheet_adds_none():
    labels = []
    for template in PACKAGE.glob("**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if "work-list" in text:
            # The separator said once for a long table ({% colon as sep %}) counts as {% colon %} said per label.
            once = {f"{{{{ {name} }}}}" for name in re.findall(r"\{% colon as (\w+) %\}", text)}
            labels += [
                (template.name, label)
                for label in re.findall(r'data-label="((?:\{%.*?%\}|\{\{.*?\}\}|[^"{])*)"', text)
                if not any(label.endswith(name) for name in once)
            ]
    assert len(labels) >= 10
    assert [(name, label) for name, label in labels if not label.endswith("{% colon %}")] == []
    css = (PACKAGE / "core/static/twinning/site.css").read_text(encoding="utf-8")
    assert set(re.findall(r"attr\(data-label\)[^;}]*", css)) == {"attr(data-label)"}
