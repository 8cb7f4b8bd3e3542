"""The tables of acctmgr. Importing this package registers every model on ``Base.metadata``."""

from acctmgr.domain.accounts import AccountKind, AccountStatus
from acctmgr.domain.activities import ActivityKind
from acctmgr.domain.approvals import (
    ApprovalRequestStatus,
    ApprovalStatus,
    ApproverKind,
    Decision,
    GroupMode,
)
from acctmgr.domain.billing import (
    ContractEnd,
    InvoiceKind,
    InvoiceStatus,
    PaymentSource,
    RenewalPricing,
    TaxCategory,
)
from acctmgr.domain.catalogue import SkuKind, SkuRelationKind, SkuRuleConsequence
from acctmgr.domain.contracts import (
    ContractStatus,
    RenewalType,
    SignatureMethod,
    SubscriptionKind,
    SubscriptionStatus,
)
from acctmgr.domain.documents import EmailStatus
from acctmgr.domain.fulfilment import ExportStatus, OrderStatus, OverageStatus, SubscriptionEnd
from acctmgr.domain.onboarding import DiscrepancyStatus, OnboardingAction, OnboardingStep
from acctmgr.domain.roles import Role
from acctmgr.domain.sales import (
    AcceptanceMethod,
    CloseOutcome,
    OfferStatus,
    OpportunityKind,
    OpportunityStage,
    PlaceholderStatus,
    QuoteStatus,
    RetentionStep,
)
from acctmgr.models.accounts import Account, Contact
from acctmgr.models.activities import Activity
from acctmgr.models.approvals import (
    Approval,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalRequest,
    ApprovalRule,
)
from acctmgr.models.audit import AuditEvent
from acctmgr.models.base import Base
from acctmgr.models.billing import (
    BillingPolicy,
    Invoice,
    InvoiceLine,
    InvoiceReminder,
    NumberSequence,
    Payment,
)
from acctmgr.models.catalogue import (
    AccountPackage,
    AgreedPrice,
    Package,
    PackageItem,
    PeerHolding,
    Sku,
    SkuPrice,
    SkuRelation,
    SkuVersion,
    UsageTier,
)
from acctmgr.models.company import CompanyIdentity
from acctmgr.models.contracts import (
    Contract,
    Entitlement,
    Subscription,
    UsageRecord,
)
from acctmgr.models.documents import Document, DocumentTemplate, EmailAttachment, OutboxEmail
from acctmgr.models.drafts import Draft
from acctmgr.models.fulfilment import (
    EntitlementUse,
    ErpExport,
    Order,
    OrderedLine,
    OrderLine,
    OverageLine,
)
from acctmgr.models.onboarding import (
    BillingDiscrepancy,
    HandoverItem,
    ImportRun,
    OnboardingAccount,
    OnboardingRequest,
)
from acctmgr.models.people import Delegation, Segment, SshKey, User, UserRole
from acctmgr.models.sales import (
    Offer,
    OfferAcceptance,
    Opportunity,
    PlaceholderRequest,
    Quote,
    QuoteLine,
    RetentionCase,
)

__all__ = [
    "AcceptanceMethod",
    "Account",
    "AccountKind",
    "AccountPackage",
    "AccountStatus",
    "Activity",
    "ActivityKind",
    "AgreedPrice",
    "Approval",
    "ApprovalDecision",
    "ApprovalGroup",
    "ApprovalGroupMember",
    "ApprovalRequest",
    "ApprovalRequestStatus",
    "ApprovalRule",
    "ApprovalStatus",
    "ApproverKind",
    "AuditEvent",
    "Base",
    "BillingDiscrepancy",
    "BillingPolicy",
    "CloseOutcome",
    "CompanyIdentity",
    "Contact",
    "Contract",
    "ContractEnd",
    "ContractStatus",
    "Decision",
    "Delegation",
    "DiscrepancyStatus",
    "Document",
    "DocumentTemplate",
    "Draft",
    "EmailAttachment",
    "EmailStatus",
    "Entitlement",
    "EntitlementUse",
    "ErpExport",
    "ExportStatus",
    "GroupMode",
    "HandoverItem",
    "ImportRun",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceReminder",
    "InvoiceStatus",
    "NumberSequence",
    "Offer",
    "OfferAcceptance",
    "OfferStatus",
    "OnboardingAccount",
    "OnboardingAction",
    "OnboardingRequest",
    "OnboardingStep",
    "Opportunity",
    "OpportunityKind",
    "OpportunityStage",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderedLine",
    "OutboxEmail",
    "OverageLine",
    "OverageStatus",
    "Package",
    "PackageItem",
    "Payment",
    "PaymentSource",
    "PeerHolding",
    "PlaceholderRequest",
    "PlaceholderStatus",
    "Quote",
    "QuoteLine",
    "QuoteStatus",
    "RenewalPricing",
    "RenewalType",
    "RetentionCase",
    "RetentionStep",
    "Role",
    "Segment",
    "SignatureMethod",
    "Sku",
    "SkuKind",
    "SkuPrice",
    "SkuRelation",
    "SkuRelationKind",
    "SkuRuleConsequence",
    "SkuVersion",
    "SshKey",
    "Subscription",
    "SubscriptionEnd",
    "SubscriptionKind",
    "SubscriptionStatus",
    "TaxCategory",
    "UsageRecord",
    "UsageTier",
    "User",
    "UserRole",
]
