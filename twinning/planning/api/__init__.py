"""Plans, objectives, activities, indicators and targets over the API: thin endpoints over the planning
selectors and services. Pillars and disaggregations are named by code, everything else by UUID; a
disaggregation option is written `category.option`, e.g. `sex.female`."""

from ninja import Router

from twinning.planning.api.indicators import router as indicators_router
from twinning.planning.api.plans import router as plans_router

router = Router(tags=["planning"])
router.add_router("", plans_router)
router.add_router("", indicators_router)
