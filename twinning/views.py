"""The project-level pages: the home page gathers what every app offers the signed-in user."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from twinning.accounts.access import is_programme_editor
from twinning.core.http import AuthedRequest
from twinning.partnerships.models import Programme
from twinning.partnerships.selectors import partnership_list


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    partnerships = partnership_list(user=request.user)
    programmes = Programme.objects.visible_to(request.user).order_by("name")
    return render(
        request,
        "home.html",
        {
            "partnerships": partnerships[:50],
            "partnership_count": partnerships.count(),
            "programmes": programmes,
            "staff_programme_ids": set(
                Programme.objects.staffed_by(request.user).values_list("pk", flat=True)
            ),
            "can_create": is_programme_editor(request.user),
        },
    )
