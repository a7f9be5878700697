#!/usr/bin/env bash
# Container healthcheck for the solr service: the "ckan" core answers a ping.
# Uses bash's /dev/tcp only, so it needs no curl or wget in the image.
set -euo pipefail
exec 3<>/dev/tcp/127.0.0.1/"${SOLR_PORT:-8983}"
printf 'GET /solr/ckan/admin/ping?wt=json HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
grep -Eq '"status" *: *"OK"' <&3
