"""`autotrade vin …` (filled in by the vehicles work)."""

import typer

app = typer.Typer(help="VIN decoding", no_args_is_help=True)
