from django.urls import URLPattern, path

from twinning.sustainability import transition_views, views

app_name = "sustainability"

P = "<uuid:partnership_uuid>/"
PROGRAMME = "programme/<uuid:programme_uuid>/"
R = "rounds/<uuid:assessment_round_uuid>/"

urlpatterns: list[URLPattern] = [
    # Assessment instruments, rounds, results and mutual benefit (issue 13, first half).
    path("instruments/", views.instrument_list_view, name="instruments"),
    path("instruments/<uuid:instrument_uuid>/", views.instrument_view, name="instrument"),
    path(PROGRAMME, views.programme_view, name="programme"),
    path(PROGRAMME + "rounds/new/", views.programme_rounds_view, name="programme_rounds"),
    path(PROGRAMME + "instruments/new/", views.instrument_create_view, name="instrument_create"),
    path(P, views.partnership_view, name="partnership"),
    path(P + "rounds/new/", views.round_open_view, name="round_open"),
    path(P + "benefit/", views.benefit_view, name="benefit"),
    path(R, views.round_view, name="round"),
    path(R + "answers/", views.answers_view, name="answers"),
    path(R + "submit/", views.side_submit_view, name="side_submit"),
    path(R + "edit/", views.round_edit_view, name="round_edit"),
    path(R + "cancel/", views.round_cancel_view, name="round_cancel"),
    path(R + "actions/", views.action_add_view, name="action_add"),
    path(R + "actions/<uuid:action_uuid>/", views.action_add_view, name="action_edit"),
    # Transition, graduation and follow-up (issue 13, second half).
    path(PROGRAMME + "graduation-policy/", transition_views.policy_view, name="policy"),
    path(PROGRAMME + "graduation/", transition_views.programme_transition_view, name="programme_transition"),
    path(P + "transition/", transition_views.transition_view, name="transition"),
    path(P + "transition/new/", transition_views.transition_create_view, name="transition_create"),
    path(P + "transition/edit/", transition_views.transition_edit_view, name="transition_edit"),
    path(P + "transition/sign/", transition_views.transition_sign_view, name="transition_sign"),
    path(P + "transition/items/", transition_views.transition_item_add_view, name="transition_item_add"),
    path(P + "transition/risks/", transition_views.transition_risk_add_view, name="transition_risk_add"),
    path(
        P + "transition/milestones/",
        transition_views.transition_milestone_add_view,
        name="transition_milestone_add",
    ),
    path(
        P + "transition/<uuid:part_uuid>/remove/",
        transition_views.transition_part_remove_view,
        name="transition_part_remove",
    ),
    path(P + "graduation/", transition_views.graduation_view, name="graduation"),
    path(P + "graduation/open/", transition_views.graduation_open_view, name="graduation_open"),
    path(
        P + "graduation/<uuid:review_uuid>/",
        transition_views.graduation_review_view,
        name="graduation_review",
    ),
    path(P + "follow-ups/", transition_views.follow_ups_view, name="follow_ups"),
    path(P + "follow-ups/<uuid:follow_up_uuid>/", transition_views.follow_up_view, name="follow_up"),
]
