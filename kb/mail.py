"""E-mail through an outbox: queued in the deciding transaction, sent by SMTP after the commit.

With `KB_SMTP_URL` unset nothing leaves the machine: `deliver` logs each message (links included,
so an operator can pass them on) and leaves it pending; `kb mail outbox` lists pending messages.
URL forms: `smtp://host:25`, `smtp://user:password@host:587?starttls=true`, `smtps://host:465`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Session, col, select

from kb.models import MailMessage, User, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    purpose: str


def enqueue(session: Session, message: Mail) -> MailMessage:
    row = MailMessage(
        to_address=message.to,
        subject=message.subject[:200],
        body=message.body,
        purpose=message.purpose,
    )
    session.add(row)
    return row


def pending(session: Session) -> list[MailMessage]:
    statement = (
        select(MailMessage)
        .where(col(MailMessage.sent_at).is_(None), MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(col(MailMessage.id))
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool  # SMTPS from the first byte
    starttls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("KB_SMTP_URL: expected smtp://host:port or smtps://host:port")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "smtps",
            starttls=starttls,
        )


def deliver(session: Session, *, smtp_url: str | None, sender: str) -> int:
    """Send pending messages (committing after each); return how many were sent."""
    messages = pending(session)
    if not messages:
        return 0
    if not smtp_url:
        for message in messages:
            log.info(
                "e-mail not sent (KB_SMTP_URL unset), kept in the outbox: to=%s subject=%r\n%s",
                message.to_address,
                message.subject,
                message.body,
            )
        return 0
    settings = SmtpSettings.from_url(smtp_url)
    sent = 0
    try:
        with _connect(settings) as smtp:
            for message in messages:
                sent += _send_one(session, smtp, message, sender)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server unavailable, %d message(s) stay queued: %s", len(messages), exc)
        for message in messages:
            if message.sent_at is None:
                message.attempts += 1
                message.last_error = str(exc)[:500]
                session.add(message)
        session.commit()
    return sent


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    if settings.tls:
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=10, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=10)
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _send_one(session: Session, smtp: smtplib.SMTP, message: MailMessage, sender: str) -> int:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    try:
        smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        message.attempts = MAX_ATTEMPTS  # the address is refused: retrying will not help
        message.last_error = str(exc)[:500]
        session.add(message)
        session.commit()
        return 0
    message.sent_at = utcnow()
    message.attempts += 1
    session.add(message)
    session.commit()
    return 1


# --- the messages kb sends (in the recipient's interface language) ---------------------------

_TEXTS = {
    "invite": {
        "fr": (
            "Invitation à la base de connaissances kb",
            "Bonjour {name},\n\nUn compte a été créé pour vous sur kb, la base de connaissances "
            "des pratiques locales de prévention.\nPour choisir votre mot de passe, ouvrez ce lien "
            "(valable 7 jours, une seule fois) :\n\n{url}\n\nSi vous n'attendiez pas ce message, "
            "ignorez-le.\n",
        ),
        "en": (
            "Your invitation to the kb knowledge base",
            "Hello {name},\n\nAn account has been created for you on kb, the knowledge base of "
            "city prevention practices.\nTo choose your password, open this link (valid for 7 "
            "days, once):\n\n{url}\n\nIf you did not expect this message, ignore it.\n",
        ),
    },
    "reset": {
        "fr": (
            "Réinitialisation de votre mot de passe kb",
            "Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable "
            "une heure, une seule fois) :\n\n{url}\n\nSi vous n'avez rien demandé, ignorez ce "
            "message : votre mot de passe actuel reste valable.\n",
        ),
        "en": (
            "Resetting your kb password",
            "Hello {name},\n\nTo choose a new password, open this link (valid for one hour, "
            "once):\n\n{url}\n\nIf you did not ask for this, ignore this message: your current "
            "password still works.\n",
        ),
    },
}


def _compose(purpose: str, user: User, url: str) -> Mail:
    subject, body = _TEXTS[purpose]["en" if user.language == "en" else "fr"]
    return Mail(user.email, subject, body.format(name=user.display_name, url=url), purpose)


def invitation(user: User, url: str) -> Mail:
    return _compose("invite", user, url)


def password_reset(user: User, url: str) -> Mail:
    return _compose("reset", user, url)
