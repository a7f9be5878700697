"""ckanext-guangdong: the 开放广东 provincial open-data portal as a CKAN 2.11 extension.

The importable package ``ckanext.guangdong`` lives under ``ckanext-guangdong/``;
``harvesters/`` and ``schemas/`` sit at the top of the repository (so that
non-programmers find the crosswalk and schema YAML) and are mapped into the
package as ``ckanext.guangdong.harvesters`` and ``ckanext.guangdong.schemas``.
"""
from setuptools import find_packages, setup

PACKAGE_DIR = {
    "": "ckanext-guangdong",
    "ckanext.guangdong.harvesters": "harvesters",
    "ckanext.guangdong.schemas": "schemas",
}

PLUGINS = [
    "guangdong_search = ckanext.guangdong.search.plugin:GuangdongSearchPlugin",
    "guangdong_schema = ckanext.guangdong.schema.plugin:GuangdongSchemaPlugin",
    "guangdong_application = ckanext.guangdong.application.plugin:GuangdongApplicationPlugin",
    "guangdong_events = ckanext.guangdong.events.plugin:GuangdongEventsPlugin",
    "guangdong_targets = ckanext.guangdong.targets.plugin:GuangdongTargetsPlugin",
    "guangdong_theme = ckanext.guangdong.theme.plugin:GuangdongThemePlugin",
    "guangdong_harvest = ckanext.guangdong.harvest.plugin:GuangdongHarvestPlugin",
    "guangdong_security = ckanext.guangdong.security.plugin:GuangdongSecurityPlugin",
    "guangdong_data = ckanext.guangdong.data.plugin:GuangdongDataPlugin",
    "guangdong_safety = ckanext.guangdong.safety.plugin:GuangdongSafetyPlugin",
    "guangdong_ckan_harvester = ckanext.guangdong.harvesters.ckan:GuangdongCKANHarvester",
    "guangdong_dcat_harvester = ckanext.guangdong.harvesters.dcat:GuangdongDCATHarvester",
    "guangdong_api_harvester = ckanext.guangdong.harvesters.api:GuangdongAPIHarvester",
]


def _packages() -> list[str]:
    found = ["ckanext." + p for p in find_packages("ckanext-guangdong/ckanext")]
    for prefix, folder in (("ckanext.guangdong.harvesters", "harvesters"),
                           ("ckanext.guangdong.schemas", "schemas")):
        found += [prefix] + [prefix + "." + p for p in find_packages(folder)]
    return found

setup(
    name="ckanext-guangdong",
    version="0.1.0",
    description="开放广东 — Guangdong provincial open-data portal (CKAN extension)",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    package_dir=PACKAGE_DIR,
    packages=_packages(),
    include_package_data=True,
    package_data={
        "ckanext.guangdong": [
            "config_declaration.yaml",
            "templates/**/*", "public/**/*", "assets/**/*",
            "i18n/**/*", "migration/**/*", "demo/data/**/*",
            "search/data/*", "*/templates/**/*",
            # per-feature files (theme/, search/, events/, ...), for non-editable installs
            "*/config_declaration.yaml", "*/public/**/*", "*/assets/**/*",
            "*/i18n/**/*", "*/data/**/*", "*/about/*",
        ],
        "ckanext.guangdong.harvesters": ["*.yaml"],
        "ckanext.guangdong.schemas": ["*.yaml", "vocab/*.yaml", "vocab/*.json"],
    },
    entry_points={
        "ckan.plugins": PLUGINS,
        # Loaded by CKAN whatever ckan.plugins says, so the search backend is in
        # place before anything indexes (CKAN's own tests unload ordinary plugins).
        "ckan.system_plugins": [
            "guangdong_search_backend = ckanext.guangdong.search.plugin:GuangdongSearchBackendPlugin",
        ],
        "ckan.rdf.profiles": [
            "guangdong_dcat_ap = ckanext.guangdong.schema.dcat_profile:GuangdongDCATProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    zip_safe=False,
)
