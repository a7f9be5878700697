"""The Solr that `make test-solr` runs is the Solr the docker image runs (no Java needed)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from solr_helpers import ROOT

DOCKER_SOLR = ROOT / "docker" / "solr"


def pom_property(name: str) -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom = ET.parse(DOCKER_SOLR / "launcher" / "pom.xml").getroot()
    return pom.find(f"m:properties/m:{name}", ns).text.strip()


def test_docker_image_and_launcher_run_the_same_solr_release() -> None:
    image = re.search(r"^FROM\s+solr:(\S+)", (DOCKER_SOLR / "Dockerfile").read_text(), re.M).group(1)
    tested = pom_property("solr.version")
    # the image tag names major.minor (it follows that line's patch releases): same line
    assert tested.startswith(image + "."), f"docker image solr:{image}, tests run Solr {tested}"
