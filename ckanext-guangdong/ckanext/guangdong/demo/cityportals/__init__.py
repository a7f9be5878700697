"""Stand-ins for the city portals the demo harvests and the tests harvest from, served on
127.0.0.1: a 开放广东-style JSON API with a DCAT catalog (api_portal, serve), a second real
CKAN playing 韶关市 (ckan_city), and the deterministic records they serve (fixtures).
``ckan guangdong harvest portals serve`` runs them for the demo (docs/harvest.md)."""
