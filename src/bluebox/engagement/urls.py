from django.urls import path

from bluebox.engagement import views

urlpatterns = [
    path("", views.home, name="engagement-home"),
    path("dialogues/new/", views.dialogue_new, name="engagement-dialogue-new"),
    path("dialogues/<int:pk>/", views.dialogue_detail, name="engagement-dialogue"),
    path("dialogues/<int:pk>/phase/", views.dialogue_phase, name="engagement-dialogue-phase"),
    path(
        "dialogues/<int:pk>/participants/",
        views.participant_new,
        name="engagement-participant-new",
    ),
    path("dialogues/<int:pk>/checks/", views.harm_check_new, name="engagement-harm-check"),
    path("dialogues/<int:pk>/sessions/new/", views.session_new, name="engagement-session-new"),
    path("sessions/<int:pk>/", views.session_detail, name="engagement-session"),
    path(
        "participants/<int:pk>/opt-out/",
        views.participant_opt_out,
        name="engagement-participant-opt-out",
    ),
    path(
        "participants/<int:pk>/reveal/",
        views.participant_reveal,
        name="engagement-participant-reveal",
    ),
    path("commitments/", views.commitment_list, name="engagement-commitments"),
    path("commitments/<int:pk>/", views.commitment_detail, name="engagement-commitment"),
    path(
        "commitments/<int:pk>/status/",
        views.commitment_status,
        name="engagement-commitment-status",
    ),
    path("commitments/<int:pk>/link/", views.commitment_link, name="engagement-commitment-link"),
    path("commitments/<int:pk>/due/", views.commitment_due, name="engagement-commitment-due"),
    path("notices/", views.notices, name="engagement-notices"),
    path("notices/read/", views.notices_read, name="engagement-notices-read"),
    path("committees/new/", views.committee_new, name="engagement-committee-new"),
    path("committees/<int:pk>/", views.committee_detail, name="engagement-committee"),
    path("committees/<int:pk>/members/", views.member_new, name="engagement-member-new"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="engagement-member-reveal"),
    path("committees/<int:pk>/plans/", views.plan_new, name="engagement-plan-new"),
    path("plans/<int:pk>/measures/", views.measure_new, name="engagement-measure-new"),
    path("measures/<int:pk>/done/", views.measure_done, name="engagement-measure-done"),
    path("courses/new/", views.course_new, name="engagement-course-new"),
    path("courses/<int:pk>/", views.course_detail, name="engagement-course"),
    path(
        "courses/<int:pk>/sessions/",
        views.course_session_new,
        name="engagement-course-session-new",
    ),
    path("course-sessions/<int:pk>/trainees/", views.trainee_new, name="engagement-trainee-new"),
    path("trainees/<int:pk>/scores/", views.trainee_scores, name="engagement-trainee-scores"),
    path(
        "trainees/<int:pk>/certificate/",
        views.certificate_issue,
        name="engagement-certificate",
    ),
    path(
        "trainees/<int:pk>/observations/",
        views.observation_new,
        name="engagement-observation-new",
    ),
    path("report/", views.report_page, name="engagement-report"),
    path("report.pdf", views.report_pdf, name="engagement-report-pdf"),
]
