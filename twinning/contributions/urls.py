from django.urls import path

from twinning.contributions import views

app_name = "contributions"

P = "programmes/<uuid:programme_uuid>/"
S = "partnerships/<uuid:partnership_uuid>/"
GIFT = S + "gifts/<uuid:gift_uuid>/"

urlpatterns = [
    path("to-verify/", views.verification_view, name="verification"),
    path(P + "leverage/", views.leverage_view, name="leverage"),
    path(P + "gifts-in-kind/", views.disclosure_view, name="disclosure"),
    path(P + "gifts-in-kind.xlsx", views.disclosure_xlsx_view, name="disclosure_xlsx"),
    path(P + "awards/", views.award_list_view, name="awards"),
    path(P + "rates/", views.rates_view, name="rates"),
    path(P + "exchange-rates/", views.exchange_rates_view, name="exchange_rates"),
    path(P + "exchange-rates/import/", views.exchange_rate_import_view, name="exchange_rate_import"),
    path("awards/<uuid:award_uuid>/", views.award_detail_view, name="award_detail"),
    path("awards/<uuid:award_uuid>/allocations/", views.allocation_add_view, name="allocation_add"),
    path("awards/<uuid:award_uuid>/cost-share.xlsx", views.cost_share_xlsx_view, name="cost_share_xlsx"),
    path(S, views.ledger_view, name="ledger"),
    path(S + "leverage/", views.partnership_leverage_view, name="partnership_leverage"),
    path(S + "time/new/", views.time_add_view, name="time_add"),
    path(S + "time/<uuid:entry_uuid>/verify/", views.time_verify_view, name="time_verify"),
    path(S + "gifts/new/", views.gift_add_view, name="gift_add"),
    path(S + "cost-share/", views.claim_add_view, name="claim_add"),
    path(GIFT, views.gift_detail_view, name="gift_detail"),
    path(GIFT + "receive/", views.gift_receive_view, name="gift_receive"),
    path(GIFT + "verify/", views.gift_verify_view, name="gift_verify"),
    path(GIFT + "evidence/", views.gift_evidence_add_view, name="gift_evidence_add"),
    path(GIFT + "evidence/<uuid:evidence_uuid>/", views.gift_evidence_view, name="gift_evidence"),
]
