"""Placeholder harvester (dcat), filled in by the harvest issue."""
from __future__ import annotations

import ckan.plugins as p


class GuangdongDCATHarvester(p.SingletonPlugin):
    pass
