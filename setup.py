"""ckanext-guangdong: the 开放广东 provincial open-data portal as a CKAN 2.11 extension.

Metadata, dependencies and entry points (the plugins) are in pyproject.toml; this file says
where the packages and their data files are.

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

def _packages() -> list[str]:
    found = ["ckanext." + p for p in find_packages("ckanext-guangdong/ckanext")]
    for prefix, folder in (("ckanext.guangdong.harvesters", "harvesters"),
                           ("ckanext.guangdong.schemas", "schemas")):
        found += [prefix] + [prefix + "." + p for p in find_packages(folder)]
    return found

setup(
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
    zip_safe=False,
)
