"""Send the e-mail a request queued, right after its commit (SMTP when configured)."""

from __future__ import annotations

import logging

from flask import current_app

from kb import mail
from kb.web.database import get_session

log = logging.getLogger(__name__)


def deliver_queued() -> None:
    """Deliver pending messages; a mail server that is down never fails the request."""
    try:
        mail.deliver(
            get_session(),
            smtp_url=current_app.config.get("KB_SMTP_URL"),
            sender=current_app.config["KB_MAIL_FROM"],
        )
    except Exception:  # the outbox keeps the message; `kb mail send` retries it
        log.exception("e-mail delivery failed; the messages stay in the outbox")
