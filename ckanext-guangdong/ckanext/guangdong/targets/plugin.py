"""The targets feature's plugin (placeholder, filled in by its issue)."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongTargetsPlugin(p.SingletonPlugin):
    pass
