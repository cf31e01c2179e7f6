from django.urls import path

from bluebox.sharing import views

urlpatterns = [
    path("", views.home, name="sharing-home"),
    path("new/", views.agreement_new, name="sharing-agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="sharing-agreement"),
    path("agreements/<int:pk>/approve/", views.agreement_approve, name="sharing-approve"),
    path("agreements/<int:pk>/refuse/", views.agreement_refuse, name="sharing-refuse"),
    path("agreements/<int:pk>/revoke/", views.agreement_revoke, name="sharing-revoke"),
    path("shared/", views.extract_list, name="sharing-extracts"),
    path("shared/<int:pk>/", views.extract_detail, name="sharing-extract"),
    path("shared/assessments/", views.assessments, name="sharing-assessments"),
    path("shared/export/<str:fmt>/", views.extract_export, name="sharing-export"),
    path("incidents/<int:pk>/disclosures/", views.disclosures, name="sharing-disclosures"),
]
