"""DHIS2 servers: credentials stored encrypted, the connection check, sending and fetching over the Web API,
against a stand-in DHIS2 (a threaded http.server in the test)."""

import base64
import json
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from twinning.audit.models import AuditEvent
from twinning.interop.dhis2 import client, secrets, servers
from twinning.interop.dhis2.imports import ImportOptions
from twinning.interop.models import Dhis2Import, Dhis2Server
from twinning.interop.tests.dhis2_world import HW1, ORG_UNIT, enter, mapped
from twinning.monitoring.models import Result

pytestmark = pytest.mark.django_db
GOOD = "Basic " + base64.b64encode(b"admin:district").decode()


class StandIn(BaseHTTPRequestHandler):
    """What a DHIS2 2.40 answers on /api/me and /api/dataValueSets, as its Web API documents it."""

    received: list[dict] = []
    to_fetch: dict = {}

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.headers.get("Authorization") != GOOD:
            return self._answer(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401})
        url = urlparse(self.path)
        if url.path == "/api/me":
            return self._answer(200, {"username": "admin", "displayName": "John Traore"})
        if url.path == "/api/dataValueSets.json":
            StandIn.received.append({"query": parse_qs(url.query)})
            return self._answer(200, StandIn.to_fetch)
        return self._answer(404, {"httpStatusCode": 404})

    def do_POST(self):
        if self.headers.get("Authorization") != GOOD:
            return self._answer(401, {"httpStatusCode": 401})
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.received.append({"query": parse_qs(urlparse(self.path).query), "body": body})
        count = len(body["dataValues"])
        self._answer(
            200,
            {
                "httpStatus": "OK",
                "httpStatusCode": 200,
                "status": "OK",
                "response": {
                    "responseType": "ImportSummary",
                    "status": "WARNING",
                    "description": "Import process completed successfully",
                    "importCount": {"imported": count - 1, "updated": 0, "ignored": 1, "deleted": 0},
                    "conflicts": [{"object": "aOcPartner1", "value": "Category option combo not found"}],
                },
            },
        )


@pytest.fixture
def dhis2(settings):
    settings.DHIS2_ALLOW_PRIVATE_ADDRESSES = True  # the stand-in listens on 127.0.0.1
    StandIn.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def server_of(world, url, password="district") -> Dhis2Server:
    return servers.dhis2_server_create(
        actor=world.manager,
        programme=world.programme,
        secret=password,
        name="Ministry DHIS2",
        base_url=url,
        auth="basic",
        username="admin",
    )


def test_the_password_is_stored_encrypted_and_never_audited(world, dhis2):
    server = server_of(world, dhis2)
    stored = Dhis2Server.objects.values_list("secret_encrypted", flat=True).get()
    assert "district" not in stored
    assert secrets.decrypt(stored) == "district"
    logged = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "district" not in logged and stored not in logged
    servers.dhis2_server_update(actor=world.manager, server=server, data={"name": "MoH"}, secret="new-pass")
    server.refresh_from_db()
    assert secrets.decrypt(server.secret_encrypted) == "new-pass"


def test_a_secret_key_change_asks_for_the_password_again(world, dhis2, settings):
    server = server_of(world, dhis2)
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789"
    ok, message = servers.dhis2_server_check(actor=world.manager, server=server)
    assert not ok and "enter it again" in message


def test_test_connection_says_who_signed_in_or_why_not(client, world, dhis2):
    good = server_of(world, dhis2)
    client.force_login(world.manager)
    response = client.post(f"/interop/dhis2/servers/{good.uuid}/check/", follow=True)
    assert b"Signed in as John Traore." in response.content
    bad = servers.dhis2_server_create(
        actor=world.manager,
        programme=world.programme,
        secret="wrong",
        name="B",
        base_url=dhis2,
        auth="basic",
        username="admin",
    )
    assert servers.dhis2_server_check(actor=world.manager, server=bad) == (
        False,
        "The server refused the user name, password or token (HTTP 401).",
    )
    unreachable = servers.dhis2_server_create(
        actor=world.manager,
        programme=world.programme,
        secret="x",
        name="C",
        base_url="http://127.0.0.1:9",
        auth="basic",
    )
    ok, message = servers.dhis2_server_check(actor=world.manager, server=unreachable)
    assert not ok and "cannot be reached" in message


def test_send_posts_the_export_and_shows_the_servers_summary(client, world, dhis2):
    enter(world, mapped(world))
    server = server_of(world, dhis2)
    client.force_login(world.manager)
    response = client.post(
        f"/interop/dhis2/servers/{server.uuid}/send/", {"periods": "2024Q1", "dry_run": "on"}
    )
    assert response.status_code == 200
    posted = StandIn.received[-1]
    assert posted["query"]["dryRun"] == ["true"]
    assert {v["period"] for v in posted["body"]["dataValues"]} == {"2024Q1"}
    assert {v["dataElement"] for v in posted["body"]["dataValues"]} >= {HW1}
    assert b"WARNING" in response.content and b"Category option combo not found" in response.content
    assert AuditEvent.objects.filter(reason="Results sent to DHIS2").exists()


def test_fetch_imports_the_servers_values_and_records_the_import(world, dhis2):
    mapped(world)
    server = server_of(world, dhis2)
    StandIn.to_fetch = {
        "dataSet": "pBOMPrpg1QX",
        "dataValues": [
            {"dataElement": HW1, "period": "2024Q1", "orgUnit": ORG_UNIT, "value": "21", "storedBy": "admin"},
            {"dataElement": HW1, "period": "2024Q2", "orgUnit": ORG_UNIT, "value": "22"},
        ],
    }
    summary = servers.dhis2_fetch(
        actor=world.manager,
        server=server,
        data_set="pBOMPrpg1QX",
        periods=("2024Q1", "2024Q2"),
        org_unit=ORG_UNIT,
        options=ImportOptions(),
    )
    assert (summary.status, summary.imported) == ("SUCCESS", 2)
    assert StandIn.received[-1]["query"]["period"] == ["2024Q1", "2024Q2"]
    assert sorted(Result.objects.values_list("period", "value")) == [
        ("2024Q1", Decimal("21")),
        ("2024Q2", Decimal("22")),
    ]
    assert Dhis2Import.objects.get().server == server


def test_viewers_get_403_and_outsiders_404(client, world, dhis2):
    server = server_of(world, dhis2)
    for user, status in (
        (world.programme_viewer, 403),
        (world.finance, 403),
        (world.outsider, 404),
        (world.coordinator, 404),
    ):
        client.force_login(user)
        assert client.get(f"/interop/dhis2/servers/{server.uuid}/").status_code == status
        assert client.post(f"/interop/dhis2/servers/{server.uuid}/send/").status_code == status
    with pytest.raises(PermissionDenied):
        servers.dhis2_send(actor=world.programme_viewer, server=server)
    assert StandIn.received == []


def test_the_server_page_never_shows_the_secret(client, world, dhis2):
    server = server_of(world, dhis2, password="s3cret-Pa55")
    client.force_login(world.manager)
    response = client.get(f"/interop/dhis2/servers/{server.uuid}/")
    assert response.status_code == 200
    assert b"s3cret-Pa55" not in response.content
    assert server.secret_encrypted.encode() not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost",
        "http://10.1.2.3",
        "http://192.168.0.10:8080",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:169.254.169.254]",
        "http://0.0.0.0",
    ],
)
def test_a_loopback_private_or_metadata_address_is_refused_at_save(world, url):
    with pytest.raises(ValidationError) as refused:
        server_of(world, url)
    assert "base_url" in refused.value.message_dict
    assert not Dhis2Server.objects.exists()


def test_every_resolved_address_is_checked(world, monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(ValidationError, match=r"10\.0\.0\.7"):
        server_of(world, "https://dhis2.example.org")


def test_an_address_changed_to_a_private_one_is_refused(client, world, dhis2, settings):
    server = server_of(world, dhis2)
    settings.DHIS2_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError):
        servers.dhis2_server_update(actor=world.manager, server=server, data={"base_url": "http://10.0.0.1"})
    client.force_login(world.manager)
    response = client.post(
        f"/interop/dhis2/servers/{server.uuid}/",
        {"name": "MoH", "base_url": "http://169.254.169.254", "auth": "basic", "username": "admin"},
    )
    assert response.status_code == 400
    assert "169.254.169.254" in response.content.decode()
    server.refresh_from_db()
    assert server.base_url == dhis2


def test_the_connection_is_checked_again_when_made(world, dhis2, settings):
    """The name resolved to an allowed address when saved; the connection refuses what it resolves to now."""
    server = server_of(world, dhis2)
    settings.DHIS2_ALLOW_PRIVATE_ADDRESSES = False
    StandIn.received = []
    ok, message = servers.dhis2_server_check(actor=world.manager, server=server)
    assert not ok and "127.0.0.1" in message and "loopback" in message
    with pytest.raises(client.Dhis2Error):
        client.fetch(server, {"dataSet": "x"})
    assert StandIn.received == []  # nothing reached the server


def test_an_in_house_server_may_be_allowed(world, dhis2, settings):
    settings.DHIS2_ALLOW_PRIVATE_ADDRESSES = True
    server_of(world, "http://10.1.2.3")
    with pytest.raises(ValidationError):  # the metadata service never
        server_of(world, "http://169.254.169.254")
