"""Puts the PostgreSQL backend where CKAN looks up its Solr connection (placeholder)."""
from __future__ import annotations


def install(backend: str) -> None:
    """Placeholder until the backend lands: does nothing for either value."""
