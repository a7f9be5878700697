"""Auth functions of the schema feature (registered by the plugin's blanket decorator)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ckan.types import AuthResult, Context, DataDict


def guangdong_check_field(context: Context, data_dict: DataDict | None) -> AuthResult:
    # Logged-in users only: the identifier check tells whether an identifier is in use.
    return {"success": bool(context.get("user"))}


# CKAN answers its follow actions about any dataset without asking whether the caller may read
# it: dataset_follower_count counted a private or 不予开放 dataset's followers for anyone, and
# following answered 200 where a missing dataset answers 404: that told it exists. The
# dataset must be readable first; the refusal is the not-found answer of a missing one
# (security/hidden.py). Unfollowing stays CKAN's: whoever followed a dataset before it was
# hidden may stop, and to anyone else it answers "not following" as for a missing one.
def _readable_first(next_auth: Callable[..., AuthResult], context: Context,
                    data_dict: DataDict | None) -> AuthResult:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    ref = (data_dict or {}).get("id")
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    if package is not None:
        try:
            tk.check_access("package_show", cast(Context, dict(context)), {"id": package.id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            return {"success": False, "msg": tk._("Not found")}
    return next_auth(context, data_dict)


def _follow_rule(anonymous: bool) -> Any:
    """A new chained auth function (each name its own: the decorators mark the function), for
    anonymous callers too where CKAN's own is (its auth/get.py)."""
    import ckan.plugins.toolkit as tk

    def rule(next_auth: Callable[..., AuthResult], context: Context, data_dict: DataDict | None) -> AuthResult:
        return _readable_first(next_auth, context, data_dict)
    chained = tk.chained_auth_function(rule)
    return tk.auth_allow_anonymous_access(chained) if anonymous else chained


dataset_follower_count = _follow_rule(anonymous=True)
am_following_dataset = _follow_rule(anonymous=True)
follow_dataset = _follow_rule(anonymous=False)
