"""API endpoints that need a bearer token: who am I, and the audit log for admins."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from kb.accounts import audit_log as audit_reads
from kb.accounts.admin_views import audit_filters
from kb.web.auth import current_actor
from kb.web.database import get_session

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1")


@bp.before_request
def token_required() -> None:
    if g.get("api_account") is None:
        abort(401, description="Authorization: this endpoint needs 'Bearer <token>'")


@bp.get("/me")
def me() -> ResponseReturnValue:
    account = g.api_account
    return jsonify(
        {
            "id": account.id,
            "display_name": account.user.display_name,
            "roles": sorted(account.roles),
            "language": account.user.language,
        }
    )


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    try:
        limit = max(1, min(int(request.args.get("limit", "50")), 500))
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        abort(400, description="limit, offset: expected integers")
    rows, total = audit_reads.search(
        session=get_session(),
        actor=current_actor(),
        filters=audit_filters(),
        offset=offset,
        limit=limit,
    )
    return jsonify(
        {
            "total": total,
            "offset": offset,
            "limit": limit,
            "events": [
                {
                    "id": event.id,
                    "created_at": event.created_at.isoformat(),
                    "actor": who,
                    "action": event.action,
                    "target_kind": event.target_kind,
                    "target_id": event.target_id,
                    "detail": event.detail,
                    "address": event.address,
                }
                for event, who in rows
            ],
        }
    )
