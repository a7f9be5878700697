"""ckanext-guangdong: the 开放广东 provincial open-data portal as a CKAN 2.11 extension.

Metadata, dependencies and entry points (the plugins) are in pyproject.toml; this file says
where the packages and their data files are.

The importable package ``ckanext.guangdong`` lives under ``ckanext-guangdong/``;
``harvesters/`` and ``schemas/`` sit at the top of the repository (so that
non-programmers find the crosswalk and schema YAML) and are symbolic links inside the
package (``ckanext-guangdong/ckanext/guangdong/harvesters -> ../../../harvesters``), so
they are ``ckanext.guangdong.harvesters`` and ``ckanext.guangdong.schemas`` to Python,
to static tools and editors, and in a wheel (which holds real copies).
"""
from setuptools import find_packages, setup

PACKAGE_DIR = {"": "ckanext-guangdong"}


def _packages() -> list[str]:
    # ckanext is a namespace package (no __init__.py); find_packages follows the symlinks
    return ["ckanext." + p for p in find_packages("ckanext-guangdong/ckanext")]


setup(
    package_dir=PACKAGE_DIR,
    packages=_packages(),
    include_package_data=True,
    package_data={
        "ckanext.guangdong": [
            "migration/**/*",
            # per-feature files (theme/, search/, events/, ...), for non-editable installs; no
            # feature has a public/ folder (static files are webassets, */assets)
            "*/config_declaration.yaml", "*/templates/**/*", "*/assets/**/*",
            "*/i18n/**/*", "*/data/**/*", "*/about/*",
        ],
        "ckanext.guangdong.harvesters": ["*.yaml"],
        "ckanext.guangdong.schemas": ["*.yaml", "vocab/*.yaml", "vocab/*.json"],
    },
    zip_safe=False,
)
