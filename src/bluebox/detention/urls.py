from django.urls import path

from bluebox.detention import views

urlpatterns = [
    path("", views.board, name="custody-board"),
    path("new/", views.apprehension_new, name="apprehension-new"),
    path("<int:pk>/", views.apprehension_detail, name="apprehension-detail"),
    path("<int:pk>/reveal/", views.apprehension_reveal, name="apprehension-reveal"),
    path("<int:pk>/handover/", views.apprehension_handover, name="apprehension-handover"),
    path("<int:pk>/assess/", views.apprehension_assess, name="apprehension-assess"),
    path("<int:pk>/override/", views.apprehension_override, name="apprehension-override"),
    path("<int:pk>/release/", views.apprehension_release, name="apprehension-release"),
    path("<int:pk>/safeguards/", views.apprehension_safeguards, name="apprehension-safeguards"),
    path("<int:pk>/move/", views.apprehension_move, name="apprehension-move"),
    path("<int:pk>/transfer/", views.apprehension_transfer, name="apprehension-transfer"),
    path("<int:pk>/evidence/", views.evidence_register, name="evidence-register"),
    path("evidence/<int:pk>/transfer/", views.evidence_offer, name="evidence-offer"),
    path("evidence/transfers/<int:pk>/accept/", views.evidence_accept, name="evidence-accept"),
    path("breaches/<int:pk>/explain/", views.breach_explain, name="breach-explain"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
