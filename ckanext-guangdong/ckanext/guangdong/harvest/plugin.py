"""The harvest feature's plugin (placeholder, filled in by its issue)."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongHarvestPlugin(p.SingletonPlugin):
    pass
