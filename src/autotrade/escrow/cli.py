"""`autotrade escrow …` commands (each command is a boundary: it commits once)."""

import typer

app = typer.Typer(help=__doc__, no_args_is_help=True)
