"""Curriculum models, one module per part of the year; everything is importable from here."""

from __future__ import annotations

from curriculum.models.assignments import (
    Assignment,
    AssignmentKind,
    Feedback,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionVersion,
)
from curriculum.models.cohorts import (
    CityQuota,
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Team,
    TeamMember,
    TeamPublication,
)
from curriculum.models.modules import Module, ModuleOverride, ModuleProgress
from curriculum.models.sessions import (
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    SessionMaterial,
    StudySession,
)

__all__ = [
    "Assignment",
    "AssignmentKind",
    "Attendance",
    "AttendanceStatus",
    "CalendarFeed",
    "CityQuota",
    "Cohort",
    "CohortFacilitator",
    "CohortStatus",
    "Enrolment",
    "EnrolmentStatus",
    "Feedback",
    "Module",
    "ModuleOverride",
    "ModuleProgress",
    "SessionMaterial",
    "StudySession",
    "Submission",
    "SubmissionFile",
    "SubmissionStatus",
    "SubmissionVersion",
    "Team",
    "TeamMember",
    "TeamPublication",
]
