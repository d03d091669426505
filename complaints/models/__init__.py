from complaints.models.drafts import ReportDraft
from complaints.models.privacy import RetentionRecord
from complaints.models.reference import Election, Region, SanctionDetail, ViolationCategory
from complaints.models.reports import Accused, Report, ReportCategory, ReportChain, ReportEvent
from complaints.models.staffing import StaffInvite
from complaints.models.workflow import (
    Assessment,
    Clarification,
    ClarificationAttachment,
    Message,
    MinutesVersion,
    Person,
    Referral,
    ReferralAgency,
    StaffProfile,
)

__all__ = [
    "Accused",
    "Assessment",
    "Clarification",
    "ClarificationAttachment",
    "Election",
    "Message",
    "MinutesVersion",
    "Person",
    "Referral",
    "ReferralAgency",
    "Region",
    "Report",
    "ReportCategory",
    "ReportChain",
    "ReportDraft",
    "ReportEvent",
    "RetentionRecord",
    "StaffInvite",
    "SanctionDetail",
    "StaffProfile",
    "ViolationCategory",
]
