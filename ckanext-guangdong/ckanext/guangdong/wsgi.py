"""WSGI entry point for gunicorn: ``gunicorn ckanext.guangdong.wsgi:application``.

The CKAN wheel ships no wsgi.py; this one reads the ini named by CKAN_INI.
"""
from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_ini = os.environ.get("CKAN_INI")
if not _ini:
    raise RuntimeError("set CKAN_INI to the CKAN configuration file (e.g. var/ckan.ini)")

application = make_app(CKANConfigLoader(os.path.abspath(_ini)).get_config())
