"""The application feature's plugin (placeholder, filled in by its issue)."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongApplicationPlugin(p.SingletonPlugin):
    pass
