"""The setup scripts refuse bad situations with a clear message and destroy nothing."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "scripts" / script), *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_half_initialised_pgdata_is_reported_and_kept(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "pgdata").mkdir(parents=True)
    precious = var / "pgdata" / "notes.txt"
    precious.write_text("keep me")
    with socket.socket() as probe:  # a free port, so that the check reaches the data folder
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _run("services.sh", {"GD_VAR": str(var), "GD_PG_PORT": str(port)}, "start")
    assert result.returncode != 0
    assert "half-initialised" in result.stderr
    assert precious.read_text() == "keep me"


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        var = tmp_path / "var"
        var.mkdir()
        os.chmod(tmp_path, 0o755)
        result = _run("services.sh", {"GD_VAR": str(var), "GD_PG_PORT": str(port)}, "start")
    assert result.returncode != 0
    assert f"port {port} is in use" in result.stderr


def test_ckan_wrapper_without_config_says_what_to_do(tmp_path: Path) -> None:
    result = _run("ckan", {"GD_VAR": str(tmp_path)}, "--help")
    assert result.returncode != 0
    assert "make run" in result.stderr


def test_render_config_is_chinese_first_and_local(tmp_path: Path) -> None:
    var = ROOT / "var"
    ini = (var / "test.ini").read_text(encoding="utf-8") if (var / "test.ini").exists() else ""
    assert "ckan.locale_default = zh_Hans_CN" in ini
    assert "ckan.locales_offered = zh_Hans_CN en" in ini
    assert "ckanext.guangdong.search_backend = postgres" in ini
