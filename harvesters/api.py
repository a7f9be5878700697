"""Placeholder harvester (api), filled in by the harvest issue."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongAPIHarvester(p.SingletonPlugin):
    pass
