"""Auth functions of the schema feature (registered by the plugin's blanket decorator)."""
from __future__ import annotations

from ckan.types import AuthResult, Context, DataDict


def guangdong_check_field(context: Context, data_dict: DataDict | None) -> AuthResult:
    # Logged-in users only: the identifier check tells whether an identifier is in use.
    return {"success": bool(context.get("user"))}
