"""The REST API root: creates the API under `/api/v1/`, installs the error shape and mounts each app's router.

The shared types the routers use live in `twinning.core.api` (and the caller's identity in
`twinning.accounts.api_auth`), so the routers never import this module and nothing imports back into it.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from twinning.accounts.api_auth import BearerAuth, SessionAuth
from twinning.contributions.api import router as contributions_router
from twinning.core.api import StrictJSONParser, install_error_handlers
from twinning.core.throttling import AddressThrottle, TokenThrottle
from twinning.directory.api import router as directory_router
from twinning.exchanges.api import router as exchanges_router
from twinning.interop.api import router as interop_router
from twinning.knowledge.api import router as knowledge_router
from twinning.matching.api import router as matching_router
from twinning.monitoring.api import router as monitoring_router
from twinning.partnerships.api import router as partnerships_router
from twinning.planning.api import router as planning_router
from twinning.reports.api import router as reports_router
from twinning.sustainability.api import router as sustainability_router

api = NinjaAPI(
    title="Twinning API",
    version="1",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    throttle=[AddressThrottle(), TokenThrottle()],
    parser=StrictJSONParser(),
    description="Programmes, partnerships and the institution directory. Objects are named by UUID.",
)
install_error_handlers(api)

api.add_router("/institutions", directory_router)
api.add_router("/partnerships", partnerships_router)
api.add_router("/matching", matching_router)
api.add_router("/planning", planning_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/exchanges", exchanges_router)
api.add_router("/contributions", contributions_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/sustainability", sustainability_router)
api.add_router("/reports", reports_router)
api.add_router("/interop", interop_router)


# It changes nothing, so the CSRF check (meant for session writes) must not turn its 404 into an HTML 403.
@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any address under `/api/` that names no operation (a malformed id included) answers the API's JSON 404.

    Routes whose ids use the `uuid` converter do not match a malformed id at all, so without this the
    site's HTML 404 page answered an API client.
    """
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
