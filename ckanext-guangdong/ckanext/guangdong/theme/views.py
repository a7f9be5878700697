"""The answer to CKAN's tracking beacon.

The tracking plugin's JavaScript posts every page view to ``/_tracking`` and its middleware
records it after the response, but CKAN 2.11 has no view there, so every page logs a 404/405
in the browser console (ckan/ckan#9272). This view answers 204 No Content; the recording stays
CKAN's (ckanext/tracking/middleware.py)."""
from __future__ import annotations

from flask import Blueprint, Response

guangdong_theme = Blueprint("guangdong_theme", __name__)


@guangdong_theme.route("/_tracking", methods=["POST"])
def tracking_beacon() -> Response:
    return Response(status=204)


def get_blueprints() -> list[Blueprint]:
    return [guangdong_theme]
