"""`autotrade vin decode`, run as a real process: same fields as the API, exit code, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autotrade.core.settings import Settings
from autotrade.vehicles.vin import with_check_digit
from tests.ops.procs import app_env, run_cli
from tests.vehicles.test_api import SAGITAR_2021, build_tree

BAD_CHECK = SAGITAR_2021[:8] + "9" + SAGITAR_2021[9:]
EUROPEAN = "WVWZZZ1JZXW000001"


def test_json_lines_are_the_api_bodies(client, world, settings: Settings, tmp_path: Path) -> None:
    build_tree(client, world.h("admin"))
    vins = [SAGITAR_2021.lower(), BAD_CHECK, EUROPEAN, "LFVIO"]
    r = run_cli(["vin", "decode", "--json", *vins], app_env(settings), tmp_path)
    assert r.returncode == 1, r.stderr  # two of the four are invalid
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) == 4
    for raw, line in zip(vins, lines, strict=True):
        api = client.get(f"/api/v1/vin/{raw}", headers=world.h("b_owner"))
        assert api.status_code == 200
        assert json.loads(line) == api.json()
    first = json.loads(lines[0])
    assert first["valid"] is True and [m["code"] for m in first["matched_variants"]] == [
        "VW-SAGITAR-A7-14T-DQ200"
    ]
    assert [json.loads(x)["valid"] for x in lines] == [True, False, True, False]


def test_human_output_and_exit_zero_when_all_are_valid(client, world, settings: Settings, tmp_path: Path):
    build_tree(client, world.h("admin"))
    r = run_cli(["vin", "decode", SAGITAR_2021, EUROPEAN], app_env(settings), tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"{SAGITAR_2021}  valid" in out and f"{EUROPEAN}  valid" in out
    assert "manufacturer     FAW-Volkswagen" in out
    assert "model year       2021" in out
    assert "year candidates  2021, 1991" in out
    assert (
        "variant          Volkswagen Sagitar A7 (2019–) 1.4T 280TSI DSG 舒适型 [VW-SAGITAR-A7-14T-DQ200]"
        in out
    )
    assert "warning vin_check_digit" in out


def _env_without_db(url: str) -> dict[str, Any]:
    settings = Settings(env="test", database_url=url, log_json=False)
    return app_env(settings)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/missing.db",
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2",
    ],
)
def test_decodes_without_a_database(url: str, tmp_path: Path) -> None:
    r = run_cli(
        ["vin", "decode", "--json", SAGITAR_2021], _env_without_db(url.format(tmp=tmp_path)), tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert "note:" in r.stderr and "without matched variants" in r.stderr
    body = json.loads(r.stdout)
    assert body["valid"] is True and body["matched_variants"] == [] and body["make"] == "Volkswagen, Audi"
    assert not (tmp_path / "missing.db").exists()  # no stray database file


def test_decodes_with_an_unmigrated_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    r = run_cli(["vin", "decode", "--json", BAD_CHECK], _env_without_db(f"sqlite:///{empty}"), tmp_path)
    assert r.returncode == 1
    assert "not migrated" in r.stderr
    body = json.loads(r.stdout)
    assert body["valid"] is False and [e["code"] for e in body["errors"]] == ["vin_check_digit"]


def test_check_digit_helper_builds_valid_vins() -> None:
    assert with_check_digit("1HGCM82603A004352") == "1HGCM82633A004352"
