"""The kinds of record acctmgr keeps, each named once.

Every place that refers to a record by kind and id uses these values: the audit trail, approval
requests and rules, drafts, timelines, activities tied to a record, documents, outbox e-mails
and My day. Before there was one name, a retention case was ``retention_case`` in its explicit
audit events and ``retention_cases`` in the ones its table's changes wrote, and a timeline that
asked for one missed the other.
"""

from __future__ import annotations

import enum


class RecordType(enum.StrEnum):
    """One kind of record; the value is what the database stores."""

    ACCOUNT = "account"
    ACCOUNT_PACKAGE = "account_package"
    ACTIVITY = "activity"
    AGREED_PRICE = "agreed_price"
    APPROVAL = "approval"
    APPROVAL_DECISION = "approval_decision"
    APPROVAL_GROUP = "approval_group"
    APPROVAL_GROUP_MEMBER = "approval_group_member"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_RULE = "approval_rule"
    AUDIT_EVENT = "audit_event"
    BILLING_POLICY = "billing_policy"
    BILLING_DISCREPANCY = "billing_discrepancy"
    COMPANY_IDENTITY = "company_identity"
    CONTACT = "contact"
    CONTRACT = "contract"
    DATABASE = "database"  # the whole of it, for a load that writes every kind (the demo seed)
    DELEGATION = "delegation"
    DOCUMENT = "document"
    DOCUMENT_TEMPLATE = "document_template"
    DRAFT = "draft"
    EMAIL_ATTACHMENT = "email_attachment"
    ENTITLEMENT = "entitlement"
    ENTITLEMENT_USE = "entitlement_use"
    ERP_EXPORT = "erp_export"
    HANDOVER_ITEM = "handover_item"
    IMPORT_RUN = "import_run"
    INVOICE = "invoice"
    INVOICE_LINE = "invoice_line"
    INVOICE_REMINDER = "invoice_reminder"
    NUMBER_SEQUENCE = "number_sequence"
    OFFER = "offer"
    OFFER_ACCEPTANCE = "offer_acceptance"
    ONBOARDING_ACCOUNT = "onboarding_account"
    ONBOARDING_REQUEST = "onboarding_request"
    OPPORTUNITY = "opportunity"
    ORDER = "order"
    ORDER_LINE = "order_line"
    ORDERED_LINE = "ordered_line"
    OUTBOX_EMAIL = "outbox_email"
    OVERAGE_LINE = "overage_line"
    PACKAGE = "package"
    PACKAGE_ITEM = "package_item"
    PAYMENT = "payment"
    PEER_HOLDING = "peer_holding"
    PLACEHOLDER_REQUEST = "placeholder_request"
    QUOTE = "quote"
    QUOTE_LINE = "quote_line"
    RETENTION_CASE = "retention_case"
    SEGMENT = "segment"
    SKU = "sku"
    SKU_PRICE = "sku_price"
    SKU_RELATION = "sku_relation"
    SKU_VERSION = "sku_version"
    SSH_KEY = "ssh_key"
    SUBSCRIPTION = "subscription"
    USAGE_RECORD = "usage_record"
    USAGE_TIER = "usage_tier"
    USER = "user"
    USER_ROLE = "user_role"

    @property
    def label(self) -> str:
        """The kind in words, for a sentence: ``retention case``."""
        return self.value.replace("_", " ")
