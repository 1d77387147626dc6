"""Names and texts Twinning ships reach the reader in their language: the currencies CLDR does not name in every
language, and the demo's texts through the `shipped` template filter (typed text stays as typed)."""

import pytest
from django.template import Context, Template
from django.utils import translation

from twinning.core.reference import CURRENCY_NAMES_CLDR_LACKS, currency_choices, currency_name, shipped_format


@pytest.mark.parametrize(
    ("language", "code", "name"),
    [
        ("fr", "XAD", "dinar arabe de compte"),
        ("fr", "XUA", "unité de compte ADB"),  # CLDR's own French name
        ("es", "XAD", "dinar árabe de cuenta"),
        ("es", "XUA", "unidad de cuenta del BAfD"),
        ("ru", "XAD", "арабский расчётный динар"),
        ("ru", "XUA", "расчётная единица АфБР"),
        ("pt", "XUA", "unidade de conta do BAD"),
        ("en", "XAD", "Arab Accounting Dinar"),
        ("en", "XUA", "ADB Unit of Account"),
    ],
)
def test_the_currencies_cldr_lacks_are_named_in_the_readers_language(language, code, name):
    with translation.override(language):
        assert currency_name(code) == name
        assert (code, f"{code} – {name}") in currency_choices()


@pytest.mark.parametrize("language", ["fr", "es", "ru", "pt"])
def test_every_currency_has_a_name_in_each_language_not_its_english_one(language):
    """No currency falls back to pycountry's English name where CLDR lacks one (XAD, XUA, XSU, UYW, VED)."""
    with translation.override(language):
        for code, english in CURRENCY_NAMES_CLDR_LACKS.items():
            assert currency_name(code) != english, code


def render(text: str) -> str:
    return Template("{% load core %}{{ text|shipped }}").render(Context({"text": text}))


def test_a_demo_text_is_shown_in_french_and_russian():
    with translation.override("fr"):
        assert render("Under way.") == "En cours."
    with translation.override("ru"):
        assert render("Reviewed the audit data.") == "Разобраны данные аудита."


def test_a_typed_text_is_shown_as_typed_and_escaped():
    with translation.override("fr"):
        assert render("Our own note <b>as typed</b>") == "Our own note &lt;b&gt;as typed&lt;/b&gt;"
        assert render("") == ""
        assert render(None) == ""


def test_a_patterns_shipped_values_are_translated_with_it_and_other_values_kept():
    from twinning.sustainability.models_transition import DEMO_REASON_SOME_MET, DEMO_TRANSITION_SUMMARY

    summary = DEMO_TRANSITION_SUMMARY % {
        "host": "Gulu Regional Referral Hospital",
        "activities": "Triage protocol workshop; Quarterly clinical audit",
    }
    reason = DEMO_REASON_SOME_MET % {
        "met": 2,
        "applying": 4,
        "missing": "Transition readiness, Key indicators on track",
        "why": "the host hospital funds the work from its own budget.",
    }
    with translation.override("fr"):
        shown = shipped_format(summary, DEMO_TRANSITION_SUMMARY, names={"host": "", "activities": "; "})
        assert shown.startswith("Gulu Regional Referral Hospital reprend ses activités (")
        assert "Quarterly clinical audit" not in shown and "Triage protocol workshop" not in shown
        shown = shipped_format(reason, DEMO_REASON_SOME_MET, names={"missing": ", ", "why": ""})
        assert shown.startswith("2 critères sur 4 remplis\u202f; non remplis\u00a0: ")
        assert shown.endswith("l'hôpital hôte finance le travail sur son propre budget.")
        assert "Transition readiness" not in shown
        typed = "Our own summary (typed)."
        assert shipped_format(typed, DEMO_TRANSITION_SUMMARY, names={"activities": "; "}) == typed


def test_a_number_passes_the_filter_untouched_for_the_template_to_format():
    from decimal import Decimal

    with translation.override("fr"):
        assert Template("{% load core %}{{ n|shipped }}").render(Context({"n": Decimal("3.5")})) == "3,5"
