"""`autotrade catalog …`: import, export, generate. Thin: each command calls its module."""

from __future__ import annotations

import typer

app = typer.Typer(help="Parts catalogue (master data)", no_args_is_help=True)
