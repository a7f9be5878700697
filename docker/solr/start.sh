#!/usr/bin/env bash
# Start Solr with the "ckan" core. The first start creates the core from the
# config set baked into the image; later starts copy the image's conf/ over the
# core's, so a rebuilt image brings its schema changes with it. After a schema
# change, re-index: docker compose exec ckan ckan search-index rebuild
set -euo pipefail
CONFIGSET=/opt/solr/server/solr/configsets/ckan
CORE_DIR=/var/solr/data/ckan
if [ -f "$CORE_DIR/core.properties" ]; then
  cp -f "$CONFIGSET"/conf/* "$CORE_DIR/conf/"
fi
exec solr-precreate ckan "$CONFIGSET"
