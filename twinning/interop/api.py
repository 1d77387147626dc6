"""Interoperability over the API: thin endpoints over selectors and services."""

from ninja import Router

from twinning.interop.dhis2.api import router as dhis2_router
from twinning.interop.iati.api import router as iati_router

router = Router(tags=["interop"])
router.add_router("", iati_router)
router.add_router("/dhis2", dhis2_router)
