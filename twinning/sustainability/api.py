"""Sustainability over the API: thin endpoints over selectors and services."""

from ninja import Router

router = Router(tags=["sustainability"])

from twinning.sustainability.assessment_api import router as assessment_router  # noqa: E402
from twinning.sustainability.transition_api import router as transition_router  # noqa: E402

# Transition plans, graduation reviews and follow-ups (issue 13, second half).
router.add_router("", transition_router)
# Instruments, assessment rounds, answers and joint actions (issue 13, first half).
router.add_router("", assessment_router)
