"""The tables of kb, one module per area; importing this package registers them all.

`catalogue` holds the central record (`Practice`), `accounts` the people and the audit log,
`collections`, `moderation` and `webhooks` their areas. Import names from `kb.models`.
"""

from __future__ import annotations

from kb.models.accounts import (
    ApiToken,
    AuditEvent,
    LoginSession,
    MailMessage,
    User,
    UserRole,
)
from kb.models.catalogue import (
    ChangeLog,
    Event,
    Page,
    PageRevision,
    Practice,
    PracticeEvent,
    PracticeTerm,
    Revision,
    Source,
    TaxonomyTerm,
)
from kb.models.collections import (
    COLLECTION_STATES,
    Collection,
    CollectionItem,
    CollectionRevision,
)
from kb.models.common import (
    CHANGE_ACTIONS,
    TERM_KINDS,
    WORKFLOW_STATES,
    utcnow,
)
from kb.models.moderation import (
    PROPOSAL_STATUSES,
    Proposal,
    ProposalComment,
    ReviewDecision,
    Suggestion,
)
from kb.models.webhooks import (
    Webhook,
    WebhookDelivery,
)

__all__ = [
    "COLLECTION_STATES",
    "PROPOSAL_STATUSES",
    "ApiToken",
    "AuditEvent",
    "CHANGE_ACTIONS",
    "ChangeLog",
    "Collection",
    "CollectionItem",
    "CollectionRevision",
    "Event",
    "LoginSession",
    "MailMessage",
    "Page",
    "PageRevision",
    "Practice",
    "PracticeEvent",
    "PracticeTerm",
    "Proposal",
    "ProposalComment",
    "ReviewDecision",
    "Revision",
    "Source",
    "Suggestion",
    "TERM_KINDS",
    "TaxonomyTerm",
    "User",
    "UserRole",
    "WORKFLOW_STATES",
    "Webhook",
    "WebhookDelivery",
    "utcnow",
]
