"""Placeholder harvester (ckan), filled in by the harvest issue."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongCKANHarvester(p.SingletonPlugin):
    pass
