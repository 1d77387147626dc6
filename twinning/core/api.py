"""The shared API kit: the error shape, request-body types, paging and the PATCH helper every router uses.

Every error answers `{"detail": str, "errors"?: {field: [messages]}}`, whatever raised it, so a client needs
one error parser. Routers declare their error responses with `error_responses()` so the OpenAPI schema says
which statuses each operation can answer; the API root installs the handlers with `install_error_handlers()`.

It imports no app: the routers of every app import it, and the API root (project level) only mounts them.
"""

import inspect
import json
import math
from collections.abc import Callable, Hashable, Iterable
from functools import cache, partial, wraps
from typing import Annotated, Any, get_args
from uuid import UUID

from django.apps import apps
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ErrorType

from twinning.core.middleware import too_large
from twinning.core.numbers import MACHINE, SPACES
from twinning.core.reference import country_names, time_zone_names
from twinning.core.services import Conflict

# --- errors --------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
    # Each field of `errors` by the name people read on the form, in their language ("start_date": "Date de début").
    labels: dict[str, str] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Error responses for an operation's `response=`: 401, 422 and 429 (rate limits) apply everywhere, the rest
    as given."""
    return {status: ErrorOut for status in sorted({401, 422, 429, *statuses})}


def _field_name(loc: tuple[Any, ...]) -> str:
    source, *rest = loc
    if source == "body":
        # The body is one schema parameter; its name is an implementation detail, not part of the request.
        rest = rest[1:]
        return ".".join(str(part) for part in rest) or "body"
    return ".".join(str(part) for part in rest) or str(source)


_BUILT_IN_ERRORS = frozenset(get_args(ErrorType))
# Fields an API body has that no model names for people, and names that models label differently (a time entry's
# "from", an award's "funding starts"): the general word is right whichever record the body is for.
_API_LABELS = {
    "uuid": gettext_lazy("Entry id"),
    "version": gettext_lazy("Version"),
    "start_date": gettext_lazy("Starts"),
    "end_date": gettext_lazy("Ends"),
    "quantity": gettext_lazy("Quantity"),
    "value": gettext_lazy("Value"),
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "country": gettext_lazy("Country"),
    "comment": gettext_lazy("Comment"),
    "status": gettext_lazy("Status"),
    "side": gettext_lazy("Side"),
    "cadre": gettext_lazy("Profession or cadre"),
    "activity": gettext_lazy("Activity"),
    "partnership": gettext_lazy("Partnership"),
    "role": gettext_lazy("Role"),
    "kind": gettext_lazy("Kind"),
    "note": gettext_lazy("Note"),
    "source": gettext_lazy("Source"),
    "email": gettext_lazy("Email"),
}


@cache
def _model_labels() -> dict[str, Any]:
    """Every field name of Twinning's models with the label people read for it (its verbose_name)."""
    labels: dict[str, Any] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("twinning."):
            continue
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if isinstance(verbose, Promise):
                labels.setdefault(field.name, verbose)
    return labels


def _known_label(name: str) -> Any:
    """The label of an API field name: its first part's ("objectives.0" -> objectives), else its last named
    part's ("answers.0.value" -> value); None when no model or API field has that name."""
    parts = [part for part in name.split(".") if not part.isdigit()]
    for part in parts[:1] + parts[-1:]:
        label = _API_LABELS.get(part) or _model_labels().get(part)
        if label is not None:
            return label
    return None


def field_label(name: str) -> str:
    """An API field name ("start_date", "objectives.0") as people read it, in their language ("Date de début");
    a name no model knows is given as it is.

    Raises: nothing.
    """
    label = _known_label(name)
    return capfirst(str(label)) if label is not None else name


def _labels(errors: dict[str, Any], given: dict[str, str] | None = None) -> dict[str, str]:
    """Each error's field by the name people read, once: a name without a label (a statement's key, a row
    number) is left out rather than repeated as its own label (a tester's finding, issue 13); `given` names
    what the operation knows better (a statement's wording)."""
    labels: dict[str, str] = {}
    for name in errors:
        if name in ("__all__", "body"):
            continue
        if given and name in given:
            labels[name] = str(given[name])
        elif (label := _known_label(name)) is not None:
            labels[name] = capfirst(str(label))
    return labels


class LabelledValidationError(DjangoValidationError):
    """A ValidationError keyed by names the operation labels itself (a statement's key -> its wording): the 422's
    `labels` map gives them. Build it with a dict of errors."""

    def __init__(self, errors: dict[str, list[str]], labels: dict[str, str]) -> None:
        super().__init__(errors)
        self.labels = {name: str(label) for name, label in labels.items() if name in errors}


def refuse_repeats[Entry](
    entries: Iterable[Entry],
    *,
    key: Callable[[Entry], Hashable],
    name: Callable[[Entry], str],
    label: Callable[[Entry], str] | None = None,
) -> None:
    """Refuse a request body's list that gives the same item twice (one answer per statement, one target per
    period and option): with a plain loop the later entry would silently win. The 422 names each repeated item
    (`name`, the way the client names it, e.g. "strategic.shared-goal") with the positions it came at (from 1),
    and `label` says it in words for the `labels` map. The one check of every operation that takes a list keyed
    by item or field; a JSON object that names a key twice is refused by `StrictJSONParser`.

    Raises: ValidationError (LabelledValidationError when `label` is given).
    """
    positions: dict[Hashable, list[int]] = {}
    firsts: dict[Hashable, Entry] = {}
    for number, entry in enumerate(entries, start=1):
        item = key(entry)
        positions.setdefault(item, []).append(number)
        firsts.setdefault(item, entry)
    errors: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for item, numbers in positions.items():
        if len(numbers) < 2:
            continue
        entry = firsts[item]
        errors[name(entry)] = [
            _("Given more than once (entries %(entries)s); give it once.")
            % {"entries": ", ".join(str(n) for n in numbers)}
        ]
        if label is not None:
            labels[name(entry)] = label(entry)
    if errors:
        raise LabelledValidationError(errors, labels) if labels else DjangoValidationError(errors)


class RepeatedKey(ValueError):
    """A JSON object of a request body names the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise RepeatedKey(key)
        obj[key] = value
    return obj


class StrictJSONParser(Parser):
    """The API's body parser: a JSON object that gives a key twice (`{"value": 1, "value": 5}`) is refused with a
    422 naming the key, where `json.loads` would silently keep the last one."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(request.body, object_pairs_hook=_no_repeated_keys)
        return data


def _message(error: dict[str, Any]) -> str:
    """The pydantic error in the user's language; custom errors are already translated when raised."""
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "string_type": _("Enter text."),
        "string_too_short": _("This field cannot be blank.")
        if ctx.get("min_length") == 1
        else _("Ensure this value has at least %(min_length)s characters."),
        "string_too_long": _("Ensure this value has at most %(max_length)s characters."),
        "string_pattern_mismatch": _("Enter a valid value."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "greater_than_equal": _("Ensure this value is greater than or equal to %(ge)s."),
        "less_than_equal": _("Ensure this value is less than or equal to %(le)s."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_type": _("Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_inexact": _("Enter a valid date (YYYY-MM-DD)."),
        "uuid_parsing": _("Enter a valid UUID."),
        "uuid_type": _("Enter a valid UUID."),
        "enum": _("Choose one of: %(expected)s."),
        "list_type": _("Enter a list."),
        "too_long": _("Give at most %(max_length)s items."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "dict_type": _("Enter an object."),
        "json_invalid": _("The request body is not valid JSON."),
        "greater_than": _("Ensure this value is greater than %(gt)s."),
        "less_than": _("Ensure this value is less than %(lt)s."),
        "decimal_parsing": _("Enter a number."),
        "decimal_type": _("Enter a number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "decimal_max_digits": _("Ensure that there are no more than %(max_digits)s digits in total."),
        "decimal_max_places": _("Ensure that there are no more than %(decimal_places)s decimal places."),
        "decimal_whole_digits": _("Enter a smaller number."),
        "literal_error": _("Choose one of: %(expected)s."),
        "too_short": _("Give at least %(min_length)s items."),
        "datetime_parsing": _("Enter a valid date and time."),
        "datetime_type": _("Enter a valid date and time."),
    }
    template = messages.get(error["type"])
    if template is None:
        # pydantic's own wording is English: a built-in error without a template says so in the user's language;
        # a custom error (PydanticCustomError, raised by our validators) is already in it.
        if error["type"] in _BUILT_IN_ERRORS or error["type"] == "value_error":
            return _("Enter a valid value.")
        return str(error.get("msg", _("Enter a valid value.")))
    try:
        return template % ctx
    except (KeyError, TypeError, ValueError):
        return template


def _error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    labels_given: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
        labels = _labels(errors, labels_given)
        if labels:
            body["labels"] = labels
    return api.create_response(request, body, status=status)


def _unauthenticated(api: NinjaAPI, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        api,
        request,
        401,
        _("Authentication required: send a valid API token as 'Authorization: Bearer <token>'."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _forbidden(api: NinjaAPI, request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(api, request, 403, str(exc) or _("You do not have permission to do this."))


def _not_found(api: NinjaAPI, request: HttpRequest, exc: Http404) -> HttpResponse:
    # Never echo the exception text: it could say which object exists but is hidden from this user.
    return _error(api, request, 404, _("Not found."))


def _invalid(api: NinjaAPI, request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        given = getattr(exc, "labels", None)
        return _error(api, request, 422, _("Some of the data is not valid."), exc.message_dict, given)
    return _error(api, request, 422, " ".join(exc.messages), {"__all__": exc.messages})


def _conflict(api: NinjaAPI, request: HttpRequest, exc: Conflict) -> HttpResponse:
    # A clash with one field (a client id already taken) names it, so a client can tell it from a stale version.
    errors = exc.message_dict if hasattr(exc, "error_dict") else None
    return _error(api, request, 409, " ".join(exc.messages), errors)


def _http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises a bare 400 only when the body is not parseable; that is bad input like any other, so it
    # answers 422 like every other validation failure (and 400 need not be declared on every operation).
    if exc.status_code == 400:
        setattr(request, _REFUSED_BEFORE_VIEW, True)
        if isinstance(exc.__cause__, RepeatedKey):
            message = _("The key “%(key)s” is given twice in one object; give it once.") % {
                "key": exc.__cause__.key[:100]
            }
            return _error(api, request, 422, message, {"body": [message]})
        message = _("The request body is not valid JSON.")
        return _error(api, request, 422, message, {"body": [message]})
    return _error(api, request, exc.status_code, str(exc))


def _too_large(api: NinjaAPI, request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large(request)


def _throttled(api: NinjaAPI, request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _error(api, request, 429, _("Too many requests. Wait a while, then try again."))
    if exc.wait is not None:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


def _invalid_request(api: NinjaAPI, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    setattr(request, _REFUSED_BEFORE_VIEW, True)
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(tuple(error["loc"])), []).append(_message(error))
    return _error(api, request, 422, _("Some of the data is not valid."), errors)


_HANDLERS: dict[type[Exception], Callable[..., HttpResponse]] = {
    AuthenticationError: _unauthenticated,
    PermissionDenied: _forbidden,
    Http404: _not_found,
    DjangoValidationError: _invalid,
    Conflict: _conflict,
    Throttled: _throttled,
    HttpError: _http_error,
    NinjaValidationError: _invalid_request,
    RequestDataTooBig: _too_large,
}


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error raised in `api`'s operations answer in the one error shape above, and a request refused
    before its view ran (bad body or query) answer 404 when its path names an object the caller may not see, and
    403 when the caller may see it but not change it, or (a body-addressed write) may write nothing of its kind."""
    for exc_class, handler in _HANDLERS.items():
        api.add_exception_handler(exc_class, partial(handler, api))
    api.add_decorator(_hidden_before_invalid, mode="view")


# --- an unseen object answers 404 before a bad body answers 422 ---------------------------------------------
#
# django-ninja validates the path, query and body before the view runs, so an outsider who posted an incomplete
# body to another partnership's time entries got 422 (which says the partnership exists) where any other request
# of theirs gets 404. When validation refuses a request whose path names objects, the view is tried once more with
# every parameter but the path's replaced by a stand-in that stops the view the moment it is read: the view's own
# first step (its `get_<thing>_for_user` lookup, the one access rule) then runs as for any request, and the answer
# is 404 if it raised Http404, 403 if it raised PermissionDenied (a read-only member's write: the same answer as
# with a valid body), else the 422. The try runs in a transaction that is always rolled back, so nothing a
# view might do before reading its input is kept (on_commit work of a rolled-back transaction never runs).
#
# A body-addressed write (its object named in the body, not the path: `PATCH /monitoring/results`, `POST
# /exchanges`) is tried the same way, with no path values. Its view's first step is the input-independent floor
# of its kind of write, from `twinning.accounts.access` (`enters_data_anywhere`, `edits_a_partnership_anywhere`,
# `is_programme_editor`, ...): a caller who may write that kind of thing nowhere (a programme's viewer) is
# refused 403 whatever the body, malformed or not; anyone who passes the floor gets the 422 of a bad body.
#
# The object a body names answers as a path's would: when the whole request is about one object (the
# partnership an exchange, a result or a transition plan is for), one the caller may not see answers 404
# `{"detail": "Not found."}`, whether it is hidden or does not exist, like every other cross-partnership request.
# Only where a body names several things (a batch's rows, the partnerships a practice comes from, the people or
# institutions a record links to) does an unknown one answer 422 naming its field, with the same message for a
# hidden and a missing one, so it too says nothing about what exists.

_REFUSED_BEFORE_VIEW = "_twinning_refused_before_view"


class _InputRead(Exception):
    """The view read the input that validation refused: it got past its access lookup."""


class _RolledBack(Exception):
    pass


class _Unread:
    """Stands for a request input that did not validate; any use of it stops the view."""

    def __getattribute__(self, name: str) -> Any:
        raise _InputRead(name)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise _InputRead

    __getitem__ = __iter__ = __len__ = __bool__ = __contains__ = __eq__ = __str__ = __int__ = _refuse
    __hash__ = None  # type: ignore[assignment]


def _refusal_before_input(
    operation: Any, request: HttpRequest, path_values: dict[str, Any]
) -> Http404 | PermissionDenied | None:
    """What `operation`'s view, given `path_values` and nothing else usable, refuses before it reads its input:
    Http404 (an object the caller may not see), PermissionDenied (a read-only caller's write), else None (rolled
    back whatever happens)."""
    parameters = list(inspect.signature(operation.view_func).parameters)[1:]
    arguments = {name: path_values[name] if name in path_values else _Unread() for name in parameters}
    try:
        with transaction.atomic():
            operation.view_func(request, **arguments)
            raise _RolledBack
    except (Http404, PermissionDenied) as refusal:
        return refusal
    except Exception:  # any other end (input read, even a fault) keeps the validation answer
        return None


def _hidden_before_invalid(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    operation = getattr(run, "__self__", None)

    @wraps(run)
    def guarded(request: HttpRequest, **path_values: Any) -> HttpResponse:
        response = run(request, **path_values)
        if (
            response.status_code == 422
            and operation is not None
            and getattr(request, _REFUSED_BEFORE_VIEW, False)
        ):
            refusal = _refusal_before_input(operation, request, path_values)
            if isinstance(refusal, Http404):
                return _not_found(operation.api, request, refusal)
            if isinstance(refusal, PermissionDenied):
                return _forbidden(operation.api, request, refusal)
        return response

    return guarded


# --- input types shared by routers --------------------------------------------------------------


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; catching it here makes it a 422 on both databases instead of a 500.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", _("Text may not contain NUL (0x00) characters."))
    return value


def _refuse_nul(value: Any) -> Any:
    if isinstance(value, str):
        _no_nul(value)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


# The text form of a decimal the API takes (a JSON number is taken too): the machine form that
# `twinning.core.numbers.MachineDecimal` reads, which surrounding spaces do not change. pydantic documents
# that text as any string at all; every request body's schema gives it this pattern instead.
DECIMAL_PATTERN = f"^[{SPACES}]*(?:{MACHINE.pattern})[{SPACES}]*$"


def _document_decimal_text(node: Any) -> None:
    """Give the text form of every decimal in a schema its pattern (pydantic documents it as any string)."""
    if isinstance(node, dict):
        options = [o for o in node.get("anyOf", []) if isinstance(o, dict)]
        if "number" in {o.get("type") for o in options}:
            for option in options:
                if option == {"type": "string"}:
                    option["pattern"] = DECIMAL_PATTERN
        for value in node.values():
            _document_decimal_text(value)
    elif isinstance(node, list):
        for value in node:
            _document_decimal_text(value)


def _input_schema(schema: dict[str, Any], model: type[Any]) -> None:
    _document_decimal_text(schema.get("properties", {}))


class Input(Schema):
    """Base of request bodies: unknown fields are refused so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_input_schema)

    # One validator on every field, so no text field can forget the NUL check.
    _nul = field_validator("*")(_refuse_nul)


def _country(value: str) -> str:
    value = value.upper()
    # Blank passes here so a form's empty filter means "any"; the model refuses a blank country on save.
    if value and value not in country_names():
        raise PydanticCustomError(
            "country", _("%(value)s is not an ISO 3166 country code.") % {"value": value[:10]}
        )
    return value


Country = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_no_nul), AfterValidator(_country)
]


def _time_zone(value: str) -> str:
    if value and value not in time_zone_names():
        raise PydanticCustomError("time_zone", _("Use an IANA time zone name, such as Africa/Kampala."))
    return value


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_time_zone)]


def omittable(**constraints: Any) -> Any:
    """A PATCH field: it may be left out (then it is not changed) but not sent as null.

    pydantic does not validate defaults, so the None default only marks "not sent"; an explicit null still
    fails the field's type. Typed Any so a `str` annotation can carry the None default.
    """
    return Field(None, **constraints)


# PositiveIntegerField's range: anything larger can only come from a broken client, and must not reach SQL.
MAX_INT = 2_147_483_647

Version = Annotated[
    int, Field(ge=1, le=MAX_INT, description="The version you read; 409 if it changed since.")
]


class Ref(Schema):
    """Another object named in a response: its UUID and its name."""

    uuid: UUID
    name: str


class TitledRef(Schema):
    """Another object that people name by its title (a partnership, a practice): its UUID and its title."""

    uuid: UUID
    title: str


class PageQuery(Schema):
    """Query parameters of a list: limit/offset paging; subclasses add the filters."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_INT)

    _nul = field_validator("*")(_refuse_nul)


def paginate(queryset: QuerySet[Any], page: PageQuery) -> dict[str, Any]:
    """`{count, items}` for one slice: two queries (plus the queryset's prefetches), whatever the size."""
    return {"count": queryset.count(), "items": list(queryset[page.offset : page.offset + page.limit])}


def patch_changes(payload: Schema) -> tuple[dict[str, Any], int | None]:
    """A PATCH body as `(fields that were sent, version or None)`, for an `*_update` service.

    Raises ValidationError (422) when nothing but the version was sent: saving nothing would still bump the
    version and write an audit row, so an empty change is refused as the mistake it is.
    """
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    if not data:
        raise DjangoValidationError(_("Send at least one field to change."))
    return data, version
