"""The docker deployment (docker/) stays in step with the local configuration.

No Docker engine runs on the development machines or in CI, so docker/ cannot be
started here; these tests check it statically instead:

* the ini the containers render (docker/ckan/render_ini.py, fed with the
  environment docker-compose.yml gives the containers, .env.example's values)
  has the same plugins, sections and options as the local one
  (scripts/render_config.py), differs only in environment-specific values, and
  selects the Solr backend where the local one selects PostgreSQL;
* every process the local ``make run`` starts (scripts/run.sh) is a compose
  service running the same command;
* the compose file is complete (images, healthchecks, volumes, variables) and, where
  a compose CLI is installed, valid;
* the entrypoint migrates a fresh database and starts the same commands;
* docker/solr/conf/schema.xml is CKAN's schema plus a Chinese-aware field type
  fed by copyField, and solrconfig.xml makes CKAN's queries search it.

Most need CKAN's pytest plugin only for importing CKAN. Three run CKAN itself on the
docker configuration against this test run's PostgreSQL and Redis (a stand-in answers
for Solr); they are skipped when that database is not reachable.
"""
from __future__ import annotations

import configparser
import fnmatch
import importlib.util
import json
import os
import re
import shlex
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
ENV_EXAMPLE = DOCKER / ".env.example"
SOLR_CONF = DOCKER / "solr" / "conf"
CKAN_SERVICES_ROLES = {"web", "gather", "fetch", "scheduler", "worker"}

# Options whose value may differ between the local and the docker configuration:
# secrets, service addresses, the site's public address, and the search backend.
ENVIRONMENT_SPECIFIC = {
    "SECRET_KEY", "WTF_CSRF_SECRET_KEY",
    "api_token.jwt.encode.secret", "api_token.jwt.decode.secret",
    "sqlalchemy.url", "ckan.redis.url", "ckan.site_url", "ckan.site_id",
    "ckan.storage_path", "ckanext.dcat.base_uri",
    "ckanext.guangdong.search_backend", "solr_url",
    "ckan.harvest.mq.hostname", "ckan.harvest.mq.port", "ckan.harvest.mq.redis_db",
    "ckanext.guangdong.harvest.allowed_hosts", "ckanext.guangdong.security.proxies_in_front",
    "ckan.datastore.write_url", "ckan.datastore.read_url", "ckanext.xloader.jobs_db.uri",
    "ckanext.guangdong.safety.reviewers",  # make run's demo-reviewer account; none in docker
}
TEST_SECRETS = {"POSTGRES_PASSWORD": "pw%with/odd@chars", "GD_SECRET_KEY": "docker-test-secret",
                "GD_DATASTORE_WRITE_PASSWORD": "ds%write/pw", "GD_DATASTORE_READ_PASSWORD": "ds@read"}


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def local_renderer() -> ModuleType:
    return load_module(ROOT / "scripts" / "render_config.py", "gd_test_render_config")


@pytest.fixture(scope="module")
def docker_renderer() -> ModuleType:
    return load_module(DOCKER / "ckan" / "render_ini.py", "gd_test_render_ini")


@pytest.fixture(scope="module")
def entrypoint() -> ModuleType:
    sys.path.insert(0, str(DOCKER / "ckan"))
    try:
        return load_module(DOCKER / "ckan" / "entrypoint.py", "gd_test_entrypoint")
    finally:
        sys.path.remove(str(DOCKER / "ckan"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f".env.example line without '=': {line!r}"
            values[key.strip()] = value.strip()
    return values


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


_VAR_OR_ESCAPE = re.compile(r"\$\$|" + _VAR.pattern)


def interpolate(value: str, env: dict[str, str]) -> str:
    """docker compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ (a literal $)."""
    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group(1), m.group(2), m.group(3)
        current = env.get(name)
        if op in (":-", "-"):
            return current if current else (arg or "")
        if op in (":?", "?"):
            if not current:
                raise AssertionError(f"compose requires {name}: {arg}")
            return current
        return current or ""
    return _VAR_OR_ESCAPE.sub(sub, value)


def test_interpolate_follows_compose():
    env = {"A": "1", "E": ""}
    assert interpolate("${A}-${B:-two}-${E:-three}-$${A}", env) == "1-two-three-${A}"
    with pytest.raises(AssertionError, match="set it"):
        interpolate("${E:?set it}", env)


def service_env(compose: dict, service: str) -> dict[str, str]:
    """The environment compose gives a service, with .env.example filled in."""
    env = {**env_example(), **{k: v for k, v in TEST_SECRETS.items()}}
    raw = compose["services"][service].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: interpolate(str(v), env) for k, v in raw.items()}


def read_ini(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=True)
    parser.optionxform = str  # keep case, as CKAN does
    parser.read(path, encoding="utf-8")
    return parser


@pytest.fixture(scope="module")
def inis(tmp_path_factory, local_renderer, docker_renderer, compose):
    """(local ini, docker ini) rendered from config/ckan.ini.tmpl both ways."""
    var = tmp_path_factory.mktemp("var")
    (var / "secrets").mkdir()
    (var / "secrets" / "db_password").write_text("local-db-password")
    (var / "secrets" / "secret_key").write_text("local-secret")
    (var / "secrets" / "datastore_write_password").write_text("local-ds-write")
    (var / "secrets" / "datastore_read_password").write_text("local-ds-read")
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("GD_VAR", str(var))
        for name in ("GD_TEST_DB", "GD_SITE_URL", "GD_HARVEST_ALLOWED_HOSTS", "GD_SEARCH_BACKEND", "GD_SOLR_URL"):
            mp.delenv(name, raising=False)
        local = local_renderer.render("run")
    finally:
        mp.undo()
    assert local.parent == var, "render_config.py must honour GD_VAR (it wrote elsewhere)"
    docker = docker_renderer.render(var / "docker.ini", service_env(compose, "ckan"))
    return read_ini(local), read_ini(docker), docker


# --- configuration -------------------------------------------------------------

def test_docker_enables_the_same_plugins(inis, local_renderer):
    local, docker, _ = inis
    local_plugins = local.get("app:main", "ckan.plugins").split()
    assert docker.get("app:main", "ckan.plugins").split() == local_plugins  # same, same order
    # render_config.PLUGINS is where they come from (the template may add a few)
    assert [p for p in local_plugins if p in local_renderer.PLUGINS] == local_renderer.PLUGINS
    assert "guangdong_search" in local_plugins and "harvest" in local_plugins


def test_docker_has_the_same_sections_and_options(inis):
    local, docker, _ = inis
    assert docker.sections() == local.sections()
    for section in local.sections():
        assert set(docker.options(section)) == set(local.options(section)), section


def test_values_differ_only_where_the_environment_differs(inis):
    local, docker, _ = inis
    differing = {
        (section, key)
        for section in local.sections() for key in local.options(section)
        if local.get(section, key) != docker.get(section, key)
    }
    unexpected = {(s, k) for s, k in differing if not (s == "app:main" and k in ENVIRONMENT_SPECIFIC)}
    assert not unexpected, f"docker differs from the local configuration in {sorted(unexpected)}"
    # and the difference that matters is there
    assert ("app:main", "ckanext.guangdong.search_backend") in differing


def test_search_backend_is_solr_in_docker_and_postgres_locally(inis, compose):
    local, docker, _ = inis
    assert local.get("app:main", "ckanext.guangdong.search_backend") == "postgres"
    assert docker.get("app:main", "ckanext.guangdong.search_backend") == "solr"
    solr = urlsplit(docker.get("app:main", "solr_url"))
    assert solr.hostname in compose["services"], "solr_url does not name a compose service"
    assert solr.hostname == "solr" and solr.port == 8983
    # the core the solr image creates (docker/solr/start.sh: solr-precreate <core>)
    core = re.search(r"solr-precreate\s+(\S+)", (DOCKER / "solr" / "start.sh").read_text()).group(1)
    assert solr.path == f"/solr/{core}"


def test_docker_service_addresses_are_compose_services(inis, compose):
    _, docker, _ = inis
    services = compose["services"]
    db = urlsplit(docker.get("app:main", "sqlalchemy.url"))
    redis = urlsplit(docker.get("app:main", "ckan.redis.url"))
    assert db.hostname in services and services[db.hostname]["image"].startswith("postgres:15")
    assert redis.hostname in services and services[redis.hostname]["image"].startswith("redis:")
    assert docker.get("app:main", "ckan.harvest.mq.hostname") == redis.hostname
    assert docker.get("app:main", "ckan.harvest.mq.port") == str(redis.port)
    assert docker.get("app:main", "ckan.harvest.mq.redis_db") == redis.path.strip("/")


def test_ckan_reads_the_docker_ini(inis):
    """CKAN's own loader (configparser %-interpolation) gets the secrets back intact."""
    from ckan.cli import CKANConfigLoader
    from sqlalchemy.engine import make_url

    _, _, path = inis
    config = CKANConfigLoader(str(path)).get_config()
    url = make_url(config["sqlalchemy.url"])
    assert url.password == TEST_SECRETS["POSTGRES_PASSWORD"]
    assert url.username == env_example()["POSTGRES_USER"]
    assert url.database == env_example()["POSTGRES_DB"]
    assert config["SECRET_KEY"] == TEST_SECRETS["GD_SECRET_KEY"]
    for key, secret in (("ckan.datastore.write_url", "GD_DATASTORE_WRITE_PASSWORD"),
                        ("ckan.datastore.read_url", "GD_DATASTORE_READ_PASSWORD")):
        ds = make_url(config[key])
        assert ds.password == TEST_SECRETS[secret]
        assert ds.database == env_example()["POSTGRES_DB"] + "_datastore"


def test_docker_render_refuses_options_the_template_lacks(docker_renderer):
    text = "[app:main]\nsolr_url = x\n"
    assert "solr_url = y" in docker_renderer._replace_options(text, {"solr_url": "y"})
    with pytest.raises(docker_renderer.ConfigError):
        docker_renderer._replace_options(text, {"not.in.template": "1"})


def test_docker_render_requires_the_secrets(docker_renderer, tmp_path):
    with pytest.raises(docker_renderer.ConfigError, match="POSTGRES_PASSWORD"):
        docker_renderer.render(tmp_path / "x.ini", {"GD_SECRET_KEY": "s"})
    assert not (tmp_path / "x.ini").exists()


def test_the_template_data_files_are_in_the_image(inis):
    """Paths the template builds from ${GD_ROOT} must exist in the image: the
    Dockerfile copies config/ to /srv/app/config (GD_APP_ROOT there is /srv/app)."""
    _, docker, _ = inis
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^COPY config/ /srv/app/config/", dockerfile, re.M)
    assert re.search(r"^COPY scripts/render_config.py /srv/app/scripts/", dockerfile, re.M)
    for key in docker.options("app:main"):
        value = docker.get("app:main", key)
        if value.startswith(str(ROOT) + "/"):
            rel = Path(value).relative_to(ROOT)
            assert rel.parts[0] == "config", f"{key} points at {rel}, which the image lacks"
            assert (ROOT / rel).exists(), f"{key}: {rel} does not exist in the repository"


# --- processes -----------------------------------------------------------------

def run_sh_processes() -> dict[str, list[str]]:
    """NAME -> command of each `start NAME COMMAND...` in scripts/run.sh."""
    text = (ROOT / "scripts" / "run.sh").read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        parts = shlex.split(line, comments=True) if line.strip().startswith("start ") else []
        if len(parts) >= 3:
            found[parts[1]] = parts[2:]
    return found


def test_every_local_process_is_a_compose_service_with_the_same_command(compose, entrypoint):
    local = run_sh_processes()
    local.pop("portals", None)  # the demo's stand-in city portals: local only, never production
    assert set(local) >= CKAN_SERVICES_ROLES, f"scripts/run.sh changed: {sorted(local)}"
    roles_in_compose = {}
    for name, service in compose["services"].items():
        command = service.get("command")
        if command and command[0] in entrypoint.ROLES:
            roles_in_compose[command[0]] = name
    missing = set(local) - set(roles_in_compose)
    assert not missing, f"run by `make run` but not by docker compose: {sorted(missing)}"

    for role, command in local.items():
        ours = entrypoint.ROLES[role]
        if Path(command[0]).name == "ckan":
            # `ckan -c INI ARGS...`: the same ARGS
            assert command[1] == "-c" and ours[:2] == ["ckan", "-c"], role
            assert ours[3:] == command[3:], f"{role}: docker runs {ours[3:]}, local {command[3:]}"
        else:
            assert Path(command[0]).name == ours[0], role
            assert command[1] == ours[1], f"{role}: docker serves {ours[1]}, local {command[1]}"


def test_ckan_services_share_one_image_and_environment(compose):
    services = compose["services"]
    ckan_like = [n for n, s in services.items() if s.get("build", {}).get("dockerfile") == "docker/Dockerfile"]
    assert len(ckan_like) == 5
    images = {services[n]["image"] for n in ckan_like}
    assert len(images) == 1
    envs = [service_env(compose, n) for n in ckan_like]
    assert all(e == envs[0] for e in envs)
    for name in ckan_like:
        volumes = services[name]["volumes"]
        assert any(v.split(":")[1] == envs[0]["GD_STORAGE_PATH"] for v in volumes), name
        assert services[name].get("init") is True, f"{name}: no init, signals would not reach CKAN"


def test_workers_wait_for_the_web_service(compose):
    """Only `web` migrates the database; the others start after it is healthy."""
    services = compose["services"]
    web = next(n for n, s in services.items() if s.get("command") == ["web"])
    for name, service in services.items():
        if service.get("command") in (["gather"], ["fetch"], ["scheduler"], ["worker"]):
            assert service["depends_on"][web]["condition"] == "service_healthy", name
    for dep in ("db", "solr", "redis"):
        assert services[web]["depends_on"][dep]["condition"] == "service_healthy"


# --- compose file ----------------------------------------------------------------

def test_compose_services_images_healthchecks_and_volumes(compose):
    services = compose["services"]
    assert services["db"]["image"].split(":")[1].startswith("15")
    assert services["solr"]["build"]["context"] == "./solr"
    solr_from = re.search(r"^FROM\s+(\S+)", (DOCKER / "solr" / "Dockerfile").read_text(), re.M).group(1)
    assert solr_from.startswith("solr:9")
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name
    declared = set(compose["volumes"])
    for name in ("db", "solr", "ckan"):
        named = [v.split(":")[0] for v in services[name]["volumes"]]
        assert named and set(named) <= declared, f"{name} does not keep its data in a named volume"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])


def test_healthchecks_point_at_existing_scripts(compose, entrypoint):
    for name, service in compose["services"].items():
        test = service["healthcheck"]["test"]
        for part in test:
            if part.startswith("/srv/app/docker/ckan/"):
                assert (DOCKER / "ckan" / Path(part).name).is_file(), part
                role = test[-1]
                assert role in entrypoint.ROLES, f"{name}: healthcheck for unknown role {role}"
                assert role == service["command"][0], f"{name} checks role {role}"
            if part.startswith("/opt/guangdong/"):
                assert (DOCKER / "solr" / Path(part).name).is_file(), part


def test_env_example_lists_every_variable(compose, docker_renderer, entrypoint):
    documented = set(env_example())
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used_by_compose = {m.group(1) for m in _VAR.finditer(text)}
    assert used_by_compose <= documented, f"missing in .env.example: {sorted(used_by_compose - documented)}"
    assert documented <= used_by_compose, f"in .env.example but unused: {sorted(documented - used_by_compose)}"
    # every variable the container code reads reaches the CKAN containers
    read_in_containers = set(docker_renderer.ENV_DEFAULTS) | set(entrypoint.ENV_DEFAULTS)
    given = set(service_env(compose, "ckan"))
    assert read_in_containers <= given, f"not passed by compose: {sorted(read_in_containers - given)}"
    # every required one is required by compose too (fails early, with a message)
    for name in docker_renderer.REQUIRED:
        assert re.search(r"\$\{" + name + r":\?", text), f"compose does not require {name}"


def test_compose_does_not_override_the_ini_through_ckan_env_vars(compose, inis):
    """CKAN lets CKAN_SQLALCHEMY_URL & co. override the ini; the docker ini must stay the truth."""
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    _, docker, _ = inis
    for service in compose["services"]:
        env = service_env(compose, service)
        for option, variable in CONFIG_FROM_ENV_VARS.items():
            if docker.has_option("app:main", option):
                assert variable not in env, f"{service} sets {variable}, overriding {option}"


# --- Solr ------------------------------------------------------------------------

def ckan_schema() -> ET.Element:
    import ckan
    return ET.parse(Path(ckan.__file__).parent / "config" / "solr" / "schema.xml").getroot()


@pytest.fixture(scope="module")
def schema() -> ET.Element:
    return ET.parse(SOLR_CONF / "schema.xml").getroot()


def fields(root: ET.Element, tag: str) -> dict[str, ET.Element]:
    return {el.get("name"): el for el in root.iter(tag)}


def canon(el: ET.Element) -> tuple:
    return el.tag, sorted(el.attrib.items()), [canon(c) for c in el]


def field_types(root: ET.Element) -> dict[str, ET.Element]:
    return {**fields(root, "fieldType"), **fields(root, "fieldtype")}


def copy_fields(root: ET.Element) -> set[tuple[str, str]]:
    return {(el.get("source"), el.get("dest")) for el in root.iter("copyField")}


def resolve_field(root: ET.Element, name: str) -> ET.Element | None:
    """The field or (first, in Solr's longest-pattern-first order) dynamicField for a name."""
    explicit = fields(root, "field")
    if name in explicit:
        return explicit[name]
    dynamic = sorted(fields(root, "dynamicField").items(), key=lambda kv: -len(kv[0]))
    for pattern, el in dynamic:
        if fnmatch.fnmatchcase(name, pattern):
            return el
    return None


def is_chinese_type(el: ET.Element) -> bool:
    classes = [c.get("class", "") for c in el.iter() if c.tag in ("tokenizer", "filter")]
    analyzers = el.findall("analyzer")
    chinese = any(c.endswith(("HMMChineseTokenizerFactory", "CJKBigramFilterFactory",
                              "SmartChineseAnalyzer")) for c in classes)
    return chinese and analyzers and all(
        any(c.get("class", "").endswith(("HMMChineseTokenizerFactory", "CJKBigramFilterFactory"))
            for c in a.iter() if c.tag in ("tokenizer", "filter"))
        for a in analyzers)


# CKAN fields our schema deliberately changes (see the test below and docs/deployment.md)
CHANGED_CKAN_FIELDS = {"_version_"}


def test_solr_schema_is_ckans_schema_plus_ours(schema):
    from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

    ckan = ckan_schema()
    assert schema.get("name") == ckan.get("name")
    assert schema.get("name").split("-", 1)[1] in SUPPORTED_SCHEMA_VERSIONS
    assert schema.findtext("uniqueKey") == ckan.findtext("uniqueKey")
    for getter in (field_types, lambda r: fields(r, "field"), lambda r: fields(r, "dynamicField")):
        ours, theirs = getter(schema), getter(ckan)
        for name, el in theirs.items():
            assert name in ours, f"CKAN's {name} is missing"
            if name in CHANGED_CKAN_FIELDS and getter is not field_types:
                continue
            assert canon(ours[name]) == canon(el), f"CKAN's {name} was changed"
    # _version_: a long with docValues, as Solr's update log needs (SolrCloud cannot
    # replicate or recover without it); CKAN neither writes nor reads it.
    version = fields(schema, "field")["_version_"]
    assert version.get("type") == "plong" and version.get("docValues") == "true"
    assert copy_fields(ckan) <= copy_fields(schema)


def test_solr_schema_has_a_chinese_field_type_fed_by_copy_fields(schema):
    types = field_types(schema)
    explicit = fields(schema, "field")
    for name in ("text_zh", "title_zh"):
        assert name in explicit, f"no field {name}"
        assert is_chinese_type(types[explicit[name].get("type")]), f"{name} is not Chinese-aware"
    copies = copy_fields(schema)
    assert ("title", "title_zh") in copies
    into_text_zh = {src for src, dest in copies if dest == "text_zh"}
    must = {"title", "notes", "tags", "groups", "organization", "res_name", "res_description",
            "text", "extras_*", "publisher_name", "organization_title", "groups_title"}
    assert must <= into_text_zh, f"not copied into text_zh: {sorted(must - into_text_zh)}"
    assert explicit["text_zh"].get("multiValued") == "true"  # many sources


def test_solr_schema_is_consistent(schema):
    types = field_types(schema)
    names = [el.get("name") for el in schema.iter("field")]
    assert len(names) == len(set(names)), "a field is declared twice"
    for el in list(schema.iter("field")) + list(schema.iter("dynamicField")):
        assert el.get("type") in types, f"{el.get('name')}: unknown type {el.get('type')}"
    explicit = fields(schema, "field")
    for src, dest in copy_fields(schema):
        assert resolve_field(schema, src) is not None, f"copyField source {src} matches nothing"
        target = explicit.get(dest) or resolve_field(schema, dest)
        assert target is not None, f"copyField dest {dest} matches nothing"
        assert target.get("indexed") == "true" or target.get("stored") == "true", dest
        if "*" not in src and dest in ("text_zh",):
            assert target.get("multiValued") == "true"
    # files the analyzers name are in the config set
    for el in schema.iter():
        for attr in ("synonyms", "protected", "words", "dictionary"):
            if el.get(attr):
                for f in el.get(attr).split(","):
                    assert (SOLR_CONF / f.strip()).is_file(), f"conf/{f} is missing"


def schema_list_fields() -> set[str]:
    """Dataset fields of schemas/*.yaml whose value is a list once shown (what CKAN indexes)."""
    presets = {}
    presets_file = ROOT / "schemas" / "presets.yaml"
    if presets_file.exists():
        for p in (yaml.safe_load(presets_file.read_text(encoding="utf-8")) or {}).get("presets", []):
            presets[p["preset_name"]] = p.get("values", {})
    found = set()
    for path in (ROOT / "schemas").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for field in doc.get("dataset_fields", []) or []:
            values = {**presets.get(field.get("preset", ""), {}), **field}
            words = " ".join(str(values.get(k) or "") for k in ("preset", "validators", "output_validators"))
            if "repeating_subfields" in field:
                continue  # ckanext-scheming indexes these as one JSON string
            if "multiple" in words or "json_list" in words:
                found.add(field["field_name"])
    return found


def test_list_valued_dataset_fields_are_multivalued_in_solr(schema):
    for name in schema_list_fields() | {"theme", "used_datasets"}:
        el = resolve_field(schema, name)
        assert el is not None and el.get("multiValued") == "true", \
            f"{name} holds a list but Solr's schema indexes one value (docker/solr/conf/schema.xml)"


def test_solr_modules_for_the_analysis_classes(schema, compose):
    classes = {el.get("class", "") for el in schema.iter() if el.tag in ("tokenizer", "filter")}
    extras = {c for c in classes if "ICU" in c or "HMMChinese" in c or "SmartChinese" in c}
    if extras:  # these live in Solr's analysis-extras module, which is off by default
        modules = compose["services"]["solr"]["environment"]["SOLR_MODULES"]
        assert "analysis-extras" in modules.split(",")


def test_solrconfig_makes_ckan_search_the_chinese_fields(schema):
    config = ET.parse(SOLR_CONF / "solrconfig.xml").getroot()
    assert config.find("schemaFactory").get("class") == "ClassicIndexSchemaFactory"
    assert config.findtext("luceneMatchVersion").startswith("9.")
    handlers = {h.get("name"): h for h in config.iter("requestHandler")}
    assert "/admin/ping" in handlers  # docker/solr/healthcheck.sh and the entrypoint use it
    select = handlers["/select"]
    # CKAN always sends its own qf, so a default would be ignored: it must be appended
    appended = [s.text for lst in select.findall("lst") if lst.get("name") in ("appends", "invariants")
                for s in lst if s.get("name") == "qf"]
    assert appended, "no qf appended to /select"
    boosted = {part.split("^")[0] for qf in appended for part in qf.split()}
    types = field_types(schema)
    explicit = fields(schema, "field")
    assert {"text_zh", "title_zh"} <= boosted
    for name in boosted:
        assert is_chinese_type(types[explicit[name].get("type")]), name
    # CKAN's own query fields still exist (they are sent alongside)
    from ckan.lib.search.query import QUERY_FIELDS
    for part in QUERY_FIELDS.split():
        assert resolve_field(schema, part.split("^")[0]) is not None


def test_a_new_template_placeholder_stops_the_docker_render(docker_renderer, compose, tmp_path, monkeypatch):
    """When config/ckan.ini.tmpl gains a ${VAR}, docker must be taught it, not guess."""
    template = tmp_path / "ckan.ini.tmpl"
    template.write_text(docker_renderer.TEMPLATE.read_text(encoding="utf-8")
                        + "\n[app:extra]\nnew.option = ${GD_SOMETHING_NEW}\n", encoding="utf-8")
    monkeypatch.setattr(docker_renderer, "TEMPLATE", template)
    with pytest.raises(docker_renderer.ConfigError, match="GD_SOMETHING_NEW"):
        docker_renderer.render_text(service_env(compose, "ckan"))


def dockerfile_copies(dockerfile: Path) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY that reads the build context."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    copies = []
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["COPY"]:
            args = [a for a in parts[1:] if not a.startswith("--")]
            if not any(a.startswith("--from") for a in parts[1:]):
                copies.append((args[:-1], args[-1]))
    return copies


@pytest.mark.parametrize("dockerfile,context", [
    (DOCKER / "Dockerfile", ROOT),  # docker-compose.yml: context "..", dockerfile docker/Dockerfile
    (DOCKER / "solr" / "Dockerfile", DOCKER / "solr"),
])
def test_dockerfiles_copy_files_that_exist_and_are_not_ignored(dockerfile, context):
    copies = dockerfile_copies(dockerfile)
    assert copies
    ignore_file = dockerfile.with_name(dockerfile.name + ".dockerignore")
    ignored = [line.strip() for line in ignore_file.read_text().splitlines()
               if line.strip() and not line.startswith("#")] if ignore_file.exists() else []
    for sources, _ in copies:
        for src in sources:
            assert (context / src).exists(), f"{dockerfile.name}: COPY {src} does not exist"
            assert not any(fnmatch.fnmatch(src.rstrip("/"), pat) for pat in ignored), src


def test_the_image_has_what_the_entrypoint_needs():
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    copied = {dest for _, dest in dockerfile_copies(DOCKER / "Dockerfile")}
    assert "/srv/app/docker/ckan/" in copied
    assert re.search(r'^ENTRYPOINT \["python", "/srv/app/docker/ckan/entrypoint.py"\]', dockerfile, re.M)
    assert re.search(r"CKAN_INI=/srv/app/ckan.ini", dockerfile)  # `ckan` in `docker compose exec`
    # the repository is installed as a regular package, with the lock files, as scripts/venv.sh does
    venv_sh = (ROOT / "scripts" / "venv.sh").read_text()
    assert "-c /src/requirements/constraints.txt -r /src/requirements/requirements.txt" in dockerfile
    assert re.search(r"pip install --no-deps --no-build-isolation .*/src$", dockerfile, re.M)
    assert " -e " not in dockerfile
    # the same pip/setuptools/wheel versions as the local venv
    pins = re.findall(r'"((?:pip|setuptools|wheel)==[^"]+)"', venv_sh)
    assert pins, "scripts/venv.sh no longer pins pip, setuptools and wheel?"
    for pin in pins:
        assert pin in dockerfile, f"{pin} of scripts/venv.sh is not used by the image"
    # translations are compiled into the image (the .mo files are not in git)
    assert "compile_translations.py" in dockerfile


LOAD_AND_INSPECT = """
import json, sys
from ckan.cli import CKANConfigLoader
from ckan.config.environment import load_environment
load_environment(CKANConfigLoader(sys.argv[1]).get_config())
from ckan.common import config
import ckan.lib.search.common as common, ckan.lib.search.index as index, ckan.lib.search.query as query
conn = common.make_connection()
print(json.dumps({
    "backend": config.get("ckanext.guangdong.search_backend"),
    "plugins": config.get("ckan.plugins"),
    "lookups": {m.__name__: m.make_connection.__module__ for m in (common, index, query)},
    "connection": type(conn).__module__ + "." + type(conn).__name__,
}))
"""


def test_ckan_loads_the_docker_ini_and_talks_to_solr_unchanged(local_services_env, tmp_path):
    """CKAN starts on the docker ini (config.mode = strict, every plugin loaded) and, with
    search_backend = solr, uses its stock pysolr connection: nothing of ours intercepts.
    Runs against this test run's PostgreSQL and Redis, with Solr on a closed port."""
    import subprocess

    env = local_services_env
    renderer = load_module(DOCKER / "ckan" / "render_ini.py", "gd_test_render_ini_live")
    ini = renderer.render(tmp_path / "docker.ini", env)
    proc = subprocess.run([sys.executable, "-c", LOAD_AND_INSPECT, str(ini)], capture_output=True,
                          text=True, timeout=180, cwd=tmp_path,
                          env={k: v for k, v in os.environ.items() if not k.startswith("CKAN_")})
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["backend"] == "solr"
    assert set(out["plugins"]) >= {"guangdong_search", "harvest", "scheming_datasets"}
    assert set(out["lookups"].values()) == {"ckan.lib.search.common"}, out["lookups"]
    assert out["connection"] == "pysolr.Solr"


# --- the entrypoint, run for real against this machine's services ------------------

RUN_ENTRYPOINT = """
import json, os, runpy, sys
def fake_exec(file, args):  # record the command the container would become
    print("EXEC " + json.dumps(args), flush=True)
    sys.exit(0)
os.execvp = fake_exec
sys.argv = [sys.argv[1]] + sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class FakeSolr:
    """Answers what the entrypoint and CKAN ask Solr: ping, schema.xml, an empty index."""

    def __init__(self) -> None:
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                if "/schema" in self.path or "/admin/file" in self.path:
                    # CKAN checks the schema's version at start: serve ours
                    data = (SOLR_CONF / "schema.xml").read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                body = {"responseHeader": {"status": 0}}
                if "/admin/ping" in self.path:
                    body["status"] = "OK"
                elif "/select" in self.path:
                    body["response"] = {"numFound": 0, "start": 0, "docs": []}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/solr/ckan"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def local_services_env(compose, tmp_path):
    """The ckan containers' environment, pointed at this test run's PostgreSQL and Redis."""
    import socket

    from ckan.common import config
    from sqlalchemy.engine import make_url

    db = make_url(config["sqlalchemy.url"])
    redis = urlsplit(config["ckan.redis.url"])
    try:
        socket.create_connection((db.host, db.port or 5432), timeout=2).close()
    except OSError:
        pytest.skip("the test database is not reachable")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    env.update(service_env(compose, "ckan"))
    env.update(GD_DB_HOST=db.host, GD_DB_PORT=str(db.port or 5432), POSTGRES_USER=db.username,
               POSTGRES_PASSWORD=db.password, POSTGRES_DB=db.database,
               GD_REDIS_HOST=redis.hostname, GD_REDIS_PORT=str(redis.port),
               GD_REDIS_DB=redis.path.strip("/") or "0", GD_WAIT_TIMEOUT="20",
               GD_SOLR_URL="http://127.0.0.1:9/solr/ckan", GD_STORAGE_PATH=str(tmp_path / "storage"),
               CKAN_INI=str(tmp_path / "ckan.ini"),
               # the DataStore roles of this test run (scripts/services.sh made them)
               GD_DATASTORE_WRITE_PASSWORD=make_url(config["ckan.datastore.write_url"]).password,
               GD_DATASTORE_READ_PASSWORD=make_url(config["ckan.datastore.read_url"]).password,
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return env


def run_entrypoint(env: dict, *args: str, timeout: int = 300) -> tuple[list[str], str]:
    import subprocess

    proc = subprocess.run([sys.executable, "-c", RUN_ENTRYPOINT, str(DOCKER / "ckan" / "entrypoint.py"), *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=env["GD_STORAGE_PATH"].rsplit("/", 1)[0])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("EXEC "))
    return json.loads(line[5:]), proc.stderr


def test_entrypoint_worker_roles_render_wait_and_run_the_local_commands(local_services_env, entrypoint):
    for role in ("gather", "fetch", "scheduler", "worker"):
        command, _ = run_entrypoint(local_services_env, role, timeout=60)
        ini = local_services_env["CKAN_INI"]
        assert command == ["ckan", "-c", ini] + entrypoint.ROLES[role][3:], role
        assert read_ini(Path(ini)).get("app:main", "ckanext.guangdong.search_backend") == "solr"
    command, _ = run_entrypoint(local_services_env, "ckan", "search-index", "check", timeout=60)
    assert command == ["ckan", "-c", ini, "search-index", "check"]


def test_entrypoint_web_migrates_a_fresh_database_and_starts_gunicorn(local_services_env, entrypoint):
    """The first start of the web container: an empty database gets every migration
    (core, activity, harvest, ours) and the sysadmin, then gunicorn is started."""
    import secrets
    import subprocess

    import sqlalchemy as sa

    base = local_services_env["POSTGRES_DB"]
    name = f"{base}_entrypoint"[:63]
    created = subprocess.run([str(ROOT / "scripts" / "services.sh"), "createdb", name],
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "GD_PG_PORT": local_services_env["GD_DB_PORT"]})
    if created.returncode != 0:
        pytest.skip("cannot create a database here: " + created.stderr[-500:])
    url = sa.engine.URL.create("postgresql", username=local_services_env["POSTGRES_USER"],
                               password=local_services_env["POSTGRES_PASSWORD"],
                               host=local_services_env["GD_DB_HOST"],
                               port=int(local_services_env["GD_DB_PORT"]))
    solr = FakeSolr()
    admin = "dockeradmin"
    try:
        env = {**local_services_env, "POSTGRES_DB": name, "GD_SOLR_URL": solr.url,
               "GD_ADMIN_USER": admin, "GD_ADMIN_PASSWORD": secrets.token_urlsafe(12),
               "GD_SEARCH_INDEX_REBUILD": "auto"}
        command, log = run_entrypoint(env, "web")
        assert command == entrypoint.ROLES["web"]
        assert command[:2] == ["gunicorn", "ckanext.guangdong.wsgi:application"]
        engine = sa.create_engine(url.set(database=name))
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            sysadmin = conn.execute(sa.text('SELECT sysadmin FROM "user" WHERE name = :n'),
                                    {"n": admin}).scalar()
        engine.dispose()
        assert {"package", "activity", "harvest_source", "harvest_object"} <= tables
        ours = {t for t in tables if t.startswith("guangdong")}
        assert ours, f"none of our tables were created: {sorted(tables)}"
        assert sysadmin is True
        assert "rebuilding the search index" not in log  # empty database: nothing to index
        assert f"created the sysadmin {admin}" in log
        # a restart of the container on the same database: nothing to do, starts again
        command, log = run_entrypoint(env, "web")
        assert command == entrypoint.ROLES["web"]
        assert "created the sysadmin" not in log
    finally:
        solr.close()
        admin_engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()
        # its DataStore database belongs to the DataStore's write role
        from ckan.common import config
        ds_engine = sa.create_engine(sa.engine.make_url(config["ckan.datastore.write_url"])
                                     .set(database="postgres"), isolation_level="AUTOCOMMIT")
        with ds_engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}_datastore" WITH (FORCE)'))
        ds_engine.dispose()


def compose_cli() -> list[str] | None:
    """`docker compose` (v2) or `docker-compose` (v1.27+, the Compose Specification), if installed."""
    import shutil
    import subprocess

    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_validates_with_the_compose_cli(tmp_path):
    """The compose CLI's own schema check (`config` needs no engine). Skipped where neither
    `docker compose` nor Debian's docker-compose package is installed."""
    import subprocess

    cli = compose_cli()
    if cli is None:
        pytest.skip("no docker compose CLI on this machine (apt-get install docker-compose)")
    compose_file = COMPOSE_FILE
    if cli == ["docker-compose"]:
        # v1 predates the top-level `name:` of the Compose Specification; drop it
        text = COMPOSE_FILE.read_text(encoding="utf-8")
        assert re.search(r"^name: \S+$", text, re.M)
        compose_file = tmp_path / "docker-compose.yml"
        compose_file.write_text(re.sub(r"^name: \S+\n", "", text, flags=re.M), encoding="utf-8")
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in {**env_example(), **TEST_SECRETS}.items()))
    base = cli + ["--project-directory", str(DOCKER), "-f", str(compose_file)]
    env = {k: v for k, v in os.environ.items() if k not in env_example()}
    ok = subprocess.run(base + ["--env-file", str(env_file), "config", "-q"],
                        capture_output=True, text=True, timeout=60, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # without the secrets compose refuses to run, naming the missing one
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env_example().items()))
    refused = subprocess.run(base + ["--env-file", str(env_file), "config", "-q"],
                             capture_output=True, text=True, timeout=60, env=env)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stdout + refused.stderr
