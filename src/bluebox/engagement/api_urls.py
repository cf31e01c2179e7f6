from django.urls import path

from bluebox.engagement import api

A = "engagement/"
urlpatterns = [
    path(f"{A}dialogues/", api.DialogueListCreate.as_view(), name="api-engagement-dialogues"),
    path(
        f"{A}dialogues/<int:pk>/",
        api.DialogueDetail.as_view(),
        name="api-engagement-dialogue-detail",
    ),
    path(
        f"{A}dialogues/<int:pk>/sessions/",
        api.SessionCreate.as_view(),
        name="api-engagement-sessions",
    ),
    path(f"{A}commitments/", api.CommitmentList.as_view(), name="api-engagement-commitments"),
    path(
        f"{A}commitments/<int:pk>/",
        api.CommitmentDetail.as_view(),
        name="api-engagement-commitment-detail",
    ),
    path(
        f"{A}commitments/<int:pk>/status/",
        api.CommitmentStatusChange.as_view(),
        name="api-engagement-commitment-status",
    ),
    path(f"{A}committees/", api.CommitteeList.as_view(), name="api-engagement-committees"),
    path(f"{A}courses/", api.CourseList.as_view(), name="api-engagement-courses"),
    path(
        f"{A}course-sessions/<int:pk>/trainees/",
        api.TraineeEnrol.as_view(),
        name="api-engagement-trainees",
    ),
    path(f"{A}report/", api.ReportView.as_view(), name="api-engagement-report"),
]
