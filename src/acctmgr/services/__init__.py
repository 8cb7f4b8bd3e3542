"""Use cases: the rules and transactions of acctmgr, with no user interface in them.

One package per business area, each with its use cases (they change things), its inputs, its
read models and its plain-SQL reads (they read fast), over ``kernel`` (what every use case stands
on: the Context, the unit of work, audit, permissions, drafts, the business calendar):

    kernel/      the Context, one transaction per use case, audit, permissions, plain reads,
                 drafts, the business calendar, contract terms, money, wizard declarations
    people/      users, their roles and segments
    accounts/    accounts, contacts, billing details, activities, the account file, search
    retention/   the rate-reduction case, from the AE's request to the closed contract
    approvals/   rules, the approvals a record needs, decisions, reminders and overdue alerts
    sales/       opportunities, quotes and their builder, purchase orders
    catalogue/   SKUs, versions, prices and packages, and the catalogue customers read
    contracts/   contracts taking effect, the contract document, renewals coming up
    documents/   templates, rendering to HTML and PDF, stored documents
    mail/        the e-mail outbox and its delivery
    my_day/      each user's home: what is theirs to do today, read with plain SQL

Each public function takes a ``Context`` first (database, clock, who is acting) and plain
pydantic inputs, runs as one transaction, and returns pydantic read models. Screens call these;
they never see a Session or an ORM object. Package ``__init__`` files import nothing, so that
launch can paint My day before SQLAlchemy has loaded.
"""
