"""The DHIS2 server pages: a programme's servers, one server's settings, the connection check, send and fetch."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from twinning.accounts.access import can_use_dhis2_servers, require
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.interop.dhis2 import servers
from twinning.interop.dhis2.forms import FetchForm, SendForm, ServerForm
from twinning.interop.dhis2.selectors import get_server_for_user
from twinning.interop.models import Dhis2Server
from twinning.partnerships.selectors import get_programme_for_staff

post_scope("server_uuid", lambda user, uuid: get_server_for_user(user, uuid))


FIELDS = servers.SERVER_FIELDS


@login_required
def server_list_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The programme's DHIS2 servers and a form to add one (its editors; other staff 403, everyone else 404)."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    require(can_use_dhis2_servers(request.user, programme.pk))
    form = ServerForm(request.POST or None, initial={"auth": Dhis2Server.Auth.BASIC})
    if request.method == "POST" and form.is_valid():
        try:
            server = servers.dhis2_server_create(
                actor=request.user,
                programme=programme,
                secret=form.cleaned_data["secret"],
                **{f: form.cleaned_data[f] for f in FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The server is saved. Test the connection."))
            return redirect("interop:dhis2_server", server.uuid)
    context = {"programme": programme, "servers": programme.dhis2_servers.all(), "form": form}
    return render(request, "interop/dhis2/servers.html", context, status=400 if form.errors else 200)


def _server_page(request: AuthedRequest, server: Dhis2Server, **extra: Any) -> HttpResponse:
    initial = {f: getattr(server, f) for f in FIELDS}
    context = {
        "server": server,
        "programme": server.programme,
        "form": extra.pop("form", None) or ServerForm(initial=initial),
        "send_form": extra.pop("send_form", None) or SendForm(),
        "fetch_form": extra.pop("fetch_form", None)
        or FetchForm(initial={"data_set": server.programme.dhis2_data_set, "mode": "atomic"}),
        **extra,
    }
    status = (
        400 if any(getattr(context[k], "errors", None) for k in ("form", "send_form", "fetch_form")) else 200
    )
    return render(request, "interop/dhis2/server.html", context, status=status)


def _server(request: AuthedRequest, server_uuid: UUID) -> Dhis2Server:
    server = get_server_for_user(request.user, server_uuid)
    require(can_use_dhis2_servers(request.user, server.programme_id))
    return server


@login_required
def server_view(request: AuthedRequest, server_uuid: UUID) -> HttpResponse:
    """One server: its settings (the secret is never shown), and the check, send and fetch forms."""
    server = _server(request, server_uuid)
    form = ServerForm(request.POST or None, initial={f: getattr(server, f) for f in FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            servers.dhis2_server_update(
                actor=request.user,
                server=server,
                data={f: form.cleaned_data[f] for f in FIELDS},
                secret=form.cleaned_data["secret"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("interop:dhis2_server", server.uuid)
    return _server_page(request, server, form=form if request.method == "POST" else None)


@login_required
@post_only
def server_check_view(request: AuthedRequest, server_uuid: UUID) -> HttpResponse:
    server = _server(request, server_uuid)
    ok, message = servers.dhis2_server_check(actor=request.user, server=server)
    (messages.success if ok else messages.error)(request, message)
    return redirect("interop:dhis2_server", server.uuid)


@login_required
@post_only
def server_send_view(request: AuthedRequest, server_uuid: UUID) -> HttpResponse:
    """Send the programme's results to the server and show the server's own import summary."""
    server = _server(request, server_uuid)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _server_page(request, server, send_form=form)
    outcome = servers.dhis2_send(
        actor=request.user,
        server=server,
        periods=form.cleaned_data["periods"],
        dry_run=form.cleaned_data["dry_run"],
    )
    return _server_page(request, server, send_form=form, sent=outcome)


@login_required
@post_only
def server_fetch_view(request: AuthedRequest, server_uuid: UUID) -> HttpResponse:
    """Fetch values from the server and import them, showing the import summary."""
    server = _server(request, server_uuid)
    form = FetchForm(request.POST)
    if not form.is_valid():
        return _server_page(request, server, fetch_form=form)
    summary = servers.dhis2_fetch(
        actor=request.user,
        server=server,
        data_set=form.cleaned_data["data_set"],
        periods=form.cleaned_data["periods"],
        org_unit=form.cleaned_data["org_unit"],
        options=form.options(),
    )
    return _server_page(request, server, fetch_form=form, summary=summary)


@login_required
@post_only
def server_delete_view(request: AuthedRequest, server_uuid: UUID) -> HttpResponse:
    server = _server(request, server_uuid)
    programme = server.programme
    servers.dhis2_server_delete(actor=request.user, server=server)
    messages.success(request, _("The server and its stored credentials are removed."))
    return redirect("interop:dhis2_servers", programme.uuid)
