"""`autotrade vin …`: decode VINs from the command line.

``autotrade vin decode VIN... [--json]`` prints a readable summary per VIN, or with ``--json`` exactly one
JSON object per line per VIN, the same fields as ``GET /api/v1/vin/{vin}``. The exit code is 1 when any
VIN is invalid. Matched variants come from the database when it is reachable and migrated; otherwise
the VINs are still decoded (``matched_variants`` empty) and a note goes to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from autotrade.vehicles.vin import VinDecoded

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="VIN decoding", no_args_is_help=True)


def _note(msg: str) -> None:
    typer.secho(f"note: {msg}", fg=typer.colors.YELLOW, err=True)


def _open_catalogue() -> tuple[Any, Session | None]:
    """(database, read-only session) when the catalogue can be read, else (None, None) and a note."""
    from sqlalchemy.engine import make_url

    from autotrade.cli import _database
    from autotrade.core.migrate import current
    from autotrade.core.settings import get_settings
    from autotrade.core.tenancy import bind_system

    try:
        url = make_url(get_settings().database_url)
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            _note(f"database {url.database} does not exist: decoding without matched variants")
            return None, None
        db = _database()
        if current(db) is None:
            _note("database is not migrated (run 'autotrade db upgrade'): decoding without matched variants")
            db.dispose()
            return None, None
    except Exception as e:  # a CLI boundary: any failure to reach the database only loses the matches
        _note(f"database unreachable ({type(e).__name__}: {e}): decoding without matched variants")
        return None, None
    session = db.session()
    bind_system(session, "cli:vin")
    return db, session


def _human(d: VinDecoded) -> str:
    lines = [f"{d.vin}  {'valid' if d.valid else 'INVALID'}"]
    for e in d.errors:
        where = f" (position {e.position})" if e.position else ""
        lines.append(f"  error   {e.code}{where}: {e.message}")
    for w in d.warnings:
        lines.append(f"  warning {w.code}: {w.message}")
    fields = [
        ("WMI", d.wmi),
        ("manufacturer", d.manufacturer),
        ("make", d.make),
        ("country", d.country),
        ("model year", d.model_year),
        ("year candidates", ", ".join(map(str, d.model_year_candidates)) or None),
        ("check digit ok", None if d.check_digit_ok is None else ("yes" if d.check_digit_ok else "no")),
        ("plant code", d.plant_code),
        ("serial", d.serial),
    ]
    lines += [f"  {name:<16} {value}" for name, value in fields if value is not None]
    for m in d.matched_variants:
        years = f"{m.year_from}–{m.year_to or ''}"
        lines.append(
            f"  variant          {m.make} {m.model} {m.generation} {m.name} [{m.code}] {years} ({m.pattern})"
        )
    return "\n".join(lines)


@app.command("decode")
def decode(
    vins: Annotated[list[str], typer.Argument(help="one or more VINs", metavar="VIN...")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line per VIN")] = False,
) -> None:
    """Decode VINs: checks, WMI → manufacturer and country, model year, plant, serial, catalogue variants."""
    from sqlalchemy.exc import SQLAlchemyError

    from autotrade.vehicles import service

    db, session = _open_catalogue()
    invalid = 0
    try:
        for raw in vins:
            try:
                decoded = service.decode_vin(session, raw)
            except SQLAlchemyError as e:
                _note(f"cannot read VIN patterns ({type(e).__name__}): decoding without matched variants")
                assert session is not None
                session.rollback()
                session.close()
                session = None
                decoded = service.decode_vin(None, raw)
            invalid += not decoded.valid
            if as_json:
                typer.echo(json.dumps(decoded.model_dump(mode="json"), ensure_ascii=False))
            else:
                typer.echo(_human(decoded))
    finally:
        if session is not None:
            session.close()
        if db is not None:
            db.dispose()
    if invalid:
        raise typer.Exit(1)
