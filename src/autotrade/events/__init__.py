"""Outbox events written in the business transaction, webhook endpoints, signed delivery with retries.

Importing the package registers the ``events.dispatch`` job (every process that loads the models —
app, worker, CLI — knows it)."""

from autotrade.events import dispatcher as _dispatcher  # noqa: F401  (registers the job)
