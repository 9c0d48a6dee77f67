"""French typography (issue 11)."""

from __future__ import annotations
