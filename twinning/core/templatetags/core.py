import hashlib
import uuid
from functools import cache
from typing import Any

from django import template
from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from twinning.audit.services import cached_until_change
from twinning.core.history import HistoryEntry, change_label, history_entries
from twinning.core.numbers import currency_decimals, format_grouped, format_money, format_percent
from twinning.core.reference import country_name, shipped_name
from twinning.core.rendering import as_text, colon, degrades_to
from twinning.core.sections import Section, sections_for

register = template.Library()


@register.simple_tag
def max_length(model: str, field: str) -> int | str:
    """`{% max_length "planning.Activity" "progress_note" %}`: the model field's max_length, for the maxlength of
    an input written by hand in a template, so the page declares the limit every write path applies (the model's,
    issue 10 finding 7); "" for a field without one.

    Raises: LookupError (no such model), FieldDoesNotExist.
    """
    return apps.get_model(model)._meta.get_field(field).max_length or ""


@register.simple_tag(name="colon")
def colon_tag() -> str:
    """`{% colon %}` between a label and its value: ": ", or " : " with a no-break space in French."""
    return colon()


def _plain_name(name: Any, event: Any = None) -> str:
    return str(name).replace("_", " ")


@register.filter
@degrades_to(_plain_name)
def field_label(name: str, event: Any) -> str:
    """The translated verbose name of a field named in an audit event (twinning.core.history.change_label)."""
    return change_label(event, name)


def _name_or_nothing(user: Any, show_contacts: Any = False) -> str:
    return str(getattr(user, "full_name", "") or "")


@register.filter
@degrades_to(_name_or_nothing)
def person_name(user: Any, show_contacts: Any = False) -> str:
    """How a page names a user: their full name; without one, their e-mail address only when the reader may
    see contact details (`show_contacts`, from accounts/access.py), else "(no name given)". "" for no user.
    """
    if user is None or user == "":
        return ""
    name = getattr(user, "full_name", "")
    if name:
        return str(name)
    email = getattr(user, "email", "")
    if show_contacts and email:
        return str(email)
    return gettext("(no name given)")


@register.simple_tag
def table_cells(table: Any, cells: Any, stack: Any = False) -> SafeString:
    """`{% table_cells table row stack %}`: the `<td>` cells of one row of a `core.exports.Table` (a row of
    `Table.html_rows()`: text, link or "", numeric), as core/includes/table.html shows them: a number cell has
    class "num", a cell with a link holds it, and with `stack` every cell after the first is named by its column
    (`data-label`, for rows that stack on a phone). Everything is escaped.

    Built here rather than with template tags in a loop: a programme dashboard has hundreds of cells, and the
    per-cell tags were most of its rendering time (issue 10's load goal).
    """
    after_label = colon() if stack else ""
    parts = []
    for index, (text, url, numeric) in enumerate(cells):
        attrs = ' class="num"' if numeric else ""
        if stack and index:
            attrs += format_html(' data-label="{}{}"', table.columns[index].title, after_label)
        content = format_html('<a href="{}">{}</a>', url, text) if url else conditional_escape(text)
        parts.append(format_html("<td{}>{}</td>", mark_safe(attrs), content))
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def history_lines(context: Any, events: Any) -> list[HistoryEntry]:
    """The page's history in people's language (twinning.core.history): the full version when the view says
    the reader may change the record (`history_full`), else the short one; e-mail addresses only for readers
    who may see contact details (the page's `access`, else `show_contacts`).
    """
    return history_entries(
        events, full=bool(context.get("history_full")), show_contacts=history_contacts(context)
    )


@register.simple_tag(takes_context=True)
def history_contacts(context: Any) -> bool:
    """`{% history_contacts as contacts %}`: whether the page's history shows e-mail addresses (see
    `history_lines`): the page's `access` says, else the reader's `show_contacts`."""
    access = context.get("access")
    if hasattr(access, "can_see_contacts"):
        return bool(access.can_see_contacts)
    return bool(context.get("show_contacts"))


@register.filter("shipped")
@degrades_to(as_text)
def shipped_filter(text: Any) -> Any:
    """`{{ text|shipped }}`: a text the demo ships (marked with gettext_noop where it is written, such as an
    indicator's definition or a gift's description) in the reader's language; typed text comes back as it is
    (core.reference.shipped_name). None is ""; a value that is not text (a number, a date) is passed through for
    the template to format. Place it before any filter that adds markup (`|shipped|linebreaksbr`)."""
    if text is None:
        return ""
    return shipped_name(text) if isinstance(text, str) else text


@register.filter("country_name")
@degrades_to(as_text)
def country_name_filter(code: str) -> str:
    """An ISO country code ("UG") as the country's name in the reader's language ("Uganda")."""
    return country_name(str(code or ""))


def _number_or_blank(value: Any, *args: Any) -> str:
    return "" if value is None or value == "" else str(value)


@register.filter
@degrades_to(_number_or_blank)
def grouped(value: Any, decimals: int = 0) -> str:
    """A figure grouped for the reader's language with `decimals` places: `{{ total|grouped:1 }}` "1\u202f234,5"
    in French (core.numbers.format_grouped). "" for None."""
    if value is None or value == "":
        return ""
    return format_grouped(value, decimals=int(decimals))


@register.filter
@degrades_to(_number_or_blank)
def percent(value: Any, decimals: int = 1) -> str:
    """A percentage (45.5 for 45.5 %) as the reader's language writes it: `{{ share|percent:0 }}` "46\u00a0%" in
    French, "46%" in English (core.numbers.format_percent). "" for None."""
    if value is None or value == "":
        return ""
    return format_percent(value, decimals=int(decimals))


@register.filter
@degrades_to(_number_or_blank)
def money(value: Any, currency: Any = "") -> str:
    """An amount with its currency's decimals and its code: `{{ gift.fair_value|money:gift.currency }}`
    "1\u202f234,50 USD" in French, "1\u202f235 JPY" (core.numbers.format_money). "" for None."""
    if value is None or value == "":
        return ""
    return format_money(value, str(currency or ""))


@register.filter
@degrades_to(_number_or_blank)
def amount(value: Any, currency: Any = "") -> str:
    """As `money` without the code, for a column whose header names the currency: `{{ a.amount|amount:cur }}`
    "1\u202f234,50" in French, with the currency's decimals. "" for None."""
    if value is None or value == "":
        return ""
    return format_grouped(value, decimals=currency_decimals(str(currency or "")))


@register.filter
@degrades_to(_number_or_blank)
def money0(value: Any, currency: Any = "") -> str:
    """As `money`, without decimals: totals in a summary ("12\u202f346 USD")."""
    if value is None or value == "":
        return ""
    return format_money(value, str(currency or ""), decimals=0)


def _left_out(*args: Any, **kwargs: Any) -> str:
    return ""


@degrades_to(_left_out)
def _one_section(section: Section, request: Any, obj: Any) -> str:
    context = section.context(request, obj)
    return "" if context is None else render_to_string(section.template, context, request=request)


@register.simple_tag(takes_context=True)
def page_sections(context: Any, slot: str, obj: Any) -> SafeString:
    """The sections other apps registered in `slot` of this page (see twinning.core.sections), rendered for the
    signed-in user. A section that fails is logged and left out: the page itself still renders."""
    request = context["request"]
    return mark_safe("".join(_one_section(section, request, obj) for section in sections_for(slot)))


@register.simple_tag
def offline_owner(user: Any) -> str:
    """Who the data kept offline on this device belongs to, without naming them: when someone else signs in on
    the same browser, site.js deletes what the previous person kept (see twinning.core.offline)."""
    return salted_hmac("twinning.core.offline.owner", str(user.pk), algorithm="sha256").hexdigest()[:24]


# How long a rendered section can miss a change made outside the services (the admin, a database restore); every
# change through the services renews the audit change stamp, and with it every section's key, at once.
SECTION_CACHE_SECONDS = 600

# What a cached section may depend on: values whose text says all they are (a model instance's does not).
_KEY_TYPES = (str, int, bool, uuid.UUID, type(None))


@cache
def _csrf_placeholder() -> str:
    # Stands for the reader's CSRF token in a cached section and is replaced by it on the way out. Derived from
    # the secret key: the same in every process sharing the cache, and not a text anyone can type into a form.
    return "csrf" + salted_hmac("twinning.core.cached_section", "csrf-placeholder").hexdigest()


class CachedSectionNode(template.Node):
    def __init__(self, name: str, dependencies: list[Any], nodelist: template.NodeList) -> None:
        self.name = name
        self.dependencies = dependencies
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        token = context.get("csrf_token")
        values = [d.resolve(context) for d in self.dependencies]
        if (
            not context.get("cache_sections")
            or not token
            or not all(isinstance(v, _KEY_TYPES) for v in values)
        ):
            return self.nodelist.render(context)
        # The day too: a form's initial date or a "due" badge may read it.
        parts = [
            self.name,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            str(timezone.localdate()),
            # The query string too: a link inside may carry it ({% querystring %} in a table's downloads, a pager).
            request.GET.urlencode() if (request := context.get("request")) is not None else "",
            *map(repr, values),
        ]
        key = "section:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

        def render_section() -> str:
            with context.push(csrf_token=_csrf_placeholder()):
                return str(self.nodelist.render(context))

        html = cached_until_change(key, render_section, SECTION_CACHE_SECONDS)
        return mark_safe(html.replace(_csrf_placeholder(), conditional_escape(token)))


@register.tag
def cached_section(parser: template.base.Parser, token: template.base.Token) -> CachedSectionNode:
    """`{% cached_section "name" dep1 dep2 ... %}...{% endcached_section %}`: the enclosed part of a page, rendered
    once and kept in the shared cache under the audit change stamp (`audit.services.cached_until_change`, at most
    SECTION_CACHE_SECONDS), keyed by its name, the dependencies, the language, the time zone, the day and the
    query string. For a part that costs more to render than to read back and shows only stored data (issue 10's
    load goal: a plan's objectives, a partnership's sections, the programme dashboard's figures, a History table).

    The dependencies must name everything else the part shows: the object (its pk) and the reader's permissions
    (flags, `PartnershipAccess.cache_key`). Each must be text, a number, a boolean, a UUID or None; anything else
    (a model instance, whose text need not identify it) renders the part afresh, as does a context without
    `cache_sections` true (set it only where the part holds no form input: a form with errors shows what the user
    typed) or without a CSRF token. `{% csrf_token %}` inside is the reader's own: the cached copy holds a
    placeholder that is replaced on the way out.

    Raises: TemplateSyntaxError when the name is missing.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("cached_section needs a name")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endcached_section",))
    parser.delete_first_token()
    return CachedSectionNode(name, [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
