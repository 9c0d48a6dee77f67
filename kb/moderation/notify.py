"""E-mail about moderation, through the outbox, in each recipient's language.

Reviewers hear of submissions; authors of each comment and decision. Anyone who turned e-mail off
(`User.email_notifications`) gets nothing, and nobody is told about their own action.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from kb import mail
from kb.models import User, UserRole

_TEXTS = {
    "submitted": {
        "fr": (
            "Proposition à relire : {title}",
            "Bonjour {name},\n\nUne proposition attend une relecture : « {title} ».\n\n{url}\n",
        ),
        "en": (
            "Proposal to review: {title}",
            'Hello {name},\n\nA proposal is waiting for review: "{title}".\n\n{url}\n',
        ),
    },
    "comment": {
        "fr": (
            "Nouveau commentaire : {title}",
            "Bonjour {name},\n\nUn commentaire a été ajouté à la proposition « {title} ».\n\n"
            "{url}\n",
        ),
        "en": (
            "New comment: {title}",
            'Hello {name},\n\nA comment was added to the proposal "{title}".\n\n{url}\n',
        ),
    },
    "decision": {
        "fr": (
            "Décision sur votre proposition : {title}",
            "Bonjour {name},\n\nUne décision a été prise sur votre proposition « {title} » : "
            "{decision}.\n\n{url}\n",
        ),
        "en": (
            "Decision on your proposal: {title}",
            'Hello {name},\n\nA decision was made on your proposal "{title}": {decision}.\n\n'
            "{url}\n",
        ),
    },
}
DECISION_NAMES = {
    "fr": {
        "approve": "approuvée",
        "request_changes": "modifications demandées",
        "reject": "refusée",
        "published": "publiée",
    },
    "en": {
        "approve": "approved",
        "request_changes": "changes requested",
        "reject": "rejected",
        "published": "published",
    },
}


def moderators(session: Session) -> list[User]:
    statement = (
        select(User)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(UserRole.role == "moderator", col(User.active).is_(True))
        .order_by(col(User.id))
    )
    return list(session.exec(statement))


def send(
    session: Session,
    purpose: str,
    recipients: Iterable[User | None],
    *,
    acting_user_id: int | None,
    title_fr: str,
    title_en: str,
    url: str,
    decision: str = "",
) -> int:
    """Queue one message per recipient who wants e-mail (never to the person acting)."""
    sent, seen = 0, set()
    for user in recipients:
        if user is None or not user.email_notifications or not user.active:
            continue
        if user.id == acting_user_id or user.id in seen:
            continue
        seen.add(user.id)
        lang = "en" if user.language == "en" else "fr"
        subject, body = _TEXTS[purpose][lang]
        title = title_en if lang == "en" else title_fr
        values = {
            "name": user.display_name,
            "title": title,
            "url": url,
            "decision": DECISION_NAMES[lang].get(decision, decision),
        }
        mail.enqueue(
            session,
            mail.Mail(user.email, subject.format(**values), body.format(**values), "moderation"),
        )
        sent += 1
    return sent
