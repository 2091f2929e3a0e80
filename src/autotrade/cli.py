"""The `autotrade` command line (Typer). Each command is a boundary: it commits once at its end."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Annotated

import typer

from autotrade.core.settings import get_settings

app = typer.Typer(
    help="autotrade — automotive B2B trading platform", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
user_app = typer.Typer(help="Users", no_args_is_help=True)
company_app = typer.Typer(help="Companies", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs", no_args_is_help=True)
keys_app = typer.Typer(help="Field-encryption keys", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(company_app, name="company")
app.add_typer(jobs_app, name="jobs")
app.add_typer(keys_app, name="keys")


def _register_domain_commands() -> None:
    from autotrade.catalog.cli import app as catalog_app
    from autotrade.credit.cli import app as credit_app
    from autotrade.escrow.cli import app as escrow_app
    from autotrade.inventory.cli import app as stock_app
    from autotrade.ledger.cli import app as ledger_app
    from autotrade.orders.cli import app as orders_app
    from autotrade.payments.cli import app as payments_app
    from autotrade.settlement.cli import app as settlement_app
    from autotrade.vehicles.cli import app as vin_app

    app.add_typer(vin_app, name="vin")
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(stock_app, name="stock")
    app.add_typer(orders_app, name="orders")
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(payments_app, name="payments")
    app.add_typer(escrow_app, name="escrow")
    app.add_typer(settlement_app, name="settlement")
    app.add_typer(credit_app, name="credit")


_register_domain_commands()


def _database():  # type: ignore[no-untyped-def]
    import autotrade.models  # noqa: F401  (every mapper registered: job_runs' foreign keys name orgs, users)
    from autotrade.core import crypto
    from autotrade.core.db import Database

    settings = get_settings()
    settings.check_production()
    crypto.configure(settings)
    return Database.from_settings(settings)


def _fail(msg: str, code: int = 1) -> None:
    typer.secho(msg, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code change (development)")] = False,
) -> None:
    """Serve the web UI and API."""
    import uvicorn

    from autotrade.core.settings import InsecureSettingsError

    try:
        get_settings().check_production()
    except InsecureSettingsError as e:
        _fail(str(e))
    typer.echo(f"autotrade on http://{host}:{port}  (web UI /, API docs /docs)")
    uvicorn.run(
        "autotrade.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to the latest schema (and refresh built-in roles)."""
    from autotrade.core.migrate import current, upgrade

    db = _database()
    upgrade(db, revision)
    typer.echo(f"database at revision {current(db)} ({db.engine.url.render_as_string(hide_password=True)})")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision."""
    from autotrade.core.migrate import current

    typer.echo(current(_database()) or "empty")


@app.command()
def demo() -> None:
    """Load demo companies, users, catalogue, trading data and orders (idempotent) and print the logins."""
    from autotrade import demo as demo_data
    from autotrade.core.tenancy import bind_system

    if get_settings().env == "production":
        _fail("refusing to load demo data in production")
    db = _database()
    with db.transaction() as session:
        bind_system(session, "demo")
        logins = demo_data.load(session)
    # Demo catalogue (autotrade.catalog.demo): imported through the importer, which commits per file.
    from autotrade.catalog.demo import load_demo_catalog

    catalogue = load_demo_catalog(db)
    # Demo trading data (autotrade.trading_demo): warehouses, stock, offers, price policies, an alliance.
    from autotrade.trading_demo import load_trading_demo

    with db.transaction() as session:
        bind_system(session, "demo")
        trading = load_trading_demo(session)
    # Demo orders (autotrade.orders_demo): placed, paid, shipped, completed … through the services.
    from autotrade.orders_demo import load_demo_orders

    with db.transaction() as session:
        bind_system(session, "demo")
        placed = load_demo_orders(session, get_settings())
    typer.echo(f"Demo logins (password for all: {demo_data.DEMO_PASSWORD})")
    for company, kind, email, role in logins:
        typer.echo(f"  {kind:<13} {role:<15} {email:<45} {company}")
    typer.echo("Demo catalogue rows: " + ", ".join(f"{k} {v['read']}" for k, v in catalogue.items()))
    typer.echo("Demo trading data: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in trading.items()))
    typer.echo(f"Demo orders: {placed.summary()}")
    for skipped in placed.skipped:
        typer.secho(f"demo checkout not placed (refused now): {skipped}", fg=typer.colors.YELLOW, err=True)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    company: Annotated[str, typer.Option(help="Company id or unified social credit code", prompt=True)],
    role: Annotated[list[str], typer.Option(help="Built-in role key (repeatable)")] = ["owner"],  # noqa: B006
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a user in a company with built-in roles."""
    import uuid

    from pydantic import ValidationError

    from autotrade.core.errors import AppError
    from autotrade.core.security import hash_password
    from autotrade.core.tenancy import bind_system
    from autotrade.iam import service as iam
    from autotrade.iam.models import User, UserRole
    from autotrade.iam.repository import UserRepository
    from autotrade.iam.schemas import UserCreate
    from autotrade.orgs.repository import OrgRepository

    try:
        data = UserCreate(email=email, name=name, password=password)
    except ValidationError as e:
        _fail("; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()))
        return
    db = _database()
    try:
        with db.transaction() as session:
            bind_system(session, "cli")
            orgs = OrgRepository(session)
            try:
                org = orgs.get_any_tenant(uuid.UUID(company))
            except ValueError:
                org = orgs.by_uscc_any_tenant(company.upper())
            if org is None:
                _fail(f"no company {company!r}")
                return
            if UserRepository(session).email_taken(data.email):
                _fail(f"a user with email {data.email} exists")
            roles = [iam.builtin_role(session, r) for r in role]
            if any(r.platform for r in roles) and org.type.value != "platform":
                _fail("platform roles are only for users of the platform company")
            user = User(
                org_id=org.id,
                email=data.email.lower(),
                name=data.name,
                password_hash=hash_password(data.password),
            )
            session.add(user)
            session.flush()
            for r in roles:
                session.add(UserRole(user_id=user.id, role_id=r.id, org_id=org.id))
            typer.echo(f"created {email} in {org.name} with roles {', '.join(role)}")
    except AppError as e:
        _fail(f"{e.code}: {e.detail}")


@company_app.command("approve")
def company_approve(
    company: Annotated[str, typer.Argument(help="Company id or unified social credit code")],
) -> None:
    """Approve a pending company (as the platform)."""
    _review(company, "approve", None)


@company_app.command("reject")
def company_reject(
    company: Annotated[str, typer.Argument(help="Company id or unified social credit code")],
    reason: Annotated[str, typer.Option(help="Why (shown to the company)")],
) -> None:
    """Reject a pending company with a reason."""
    _review(company, "reject", reason)


def _review(company: str, action: str, reason: str | None) -> None:
    import uuid

    from autotrade.core.errors import AppError
    from autotrade.core.tenancy import Principal, bind_system
    from autotrade.orgs import service as orgs
    from autotrade.orgs.repository import OrgRepository

    db = _database()
    try:
        with db.transaction() as session:
            bind_system(session, "cli")
            repo = OrgRepository(session)
            try:
                org = repo.get_any_tenant(uuid.UUID(company))
            except ValueError:
                org = repo.by_uscc_any_tenant(company.upper())
            if org is None:
                _fail(f"no company {company!r}")
                return
            cli_reviewer = Principal(
                org_id=org.id,
                org_type="platform",
                org_status="approved",
                scope=frozenset(),
                permissions=frozenset(),
            )
            org = orgs.review(session, cli_reviewer, org.id, action, reason)
            typer.echo(f"{org.name} ({org.uscc}) is now {org.status.value}")
    except AppError as e:
        _fail(f"{e.code}: {e.detail}")


@app.command()
def worker(threads: Annotated[int, typer.Option(help="Worker threads")] = 2) -> None:
    """Run background jobs: from the queue (AUTOTRADE_QUEUE=dramatiq) or by polling the database."""
    from autotrade.core.logging import configure_logging
    from autotrade.inventory import sync as _stock_upload  # noqa: F401  (registers inventory.stock_upload)
    from autotrade.jobs import service as jobs
    from autotrade.pricing import upload as _offer_upload  # noqa: F401  (registers pricing.offer_upload)

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    db = _database()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if settings.queue == "dramatiq":
        runner = jobs.make_runner(db, settings.queue, settings.broker_url)
        jobs.configure(runner)
        typer.echo(f"worker: consuming queue at {settings.broker_url} with {threads} threads", err=True)
        assert isinstance(runner, jobs.DramatiqRunner)
        runner.work(threads, stop)
    else:
        jobs.configure(jobs.SyncRunner(db))
        typer.echo("worker: polling the database for jobs", err=True)
        jobs.run_inprocess_worker(db, stop)


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="Job name, e.g. system.purge")]) -> None:
    """Run one job now, in this process, and print its outcome."""
    from autotrade.core.tenancy import bind_system
    from autotrade.jobs import service as jobs

    db = _database()
    jobs.configure(jobs.SyncRunner(db))
    if name not in jobs.JOBS:
        _fail(f"unknown job {name!r}; known: {', '.join(sorted(jobs.JOBS))}")
    with db.transaction() as session:
        bind_system(session, "cli")
        run = jobs.submit(session, name)
    with db.transaction() as session:
        bind_system(session, "cli")
        from autotrade.jobs.repository import JobRepository

        done = JobRepository(session).get_or_404(run.id)
        typer.echo(f"{name}: {done.status} {done.result or done.error or ''}")
        if done.status != "done":
            raise typer.Exit(1)


@keys_app.command("reencrypt")
def keys_reencrypt() -> None:
    """Re-encrypt every sensitive field with the active key (after adding a new key id)."""
    from autotrade.core.crypto import keyring
    from autotrade.core.reencrypt import reencrypt_all
    from autotrade.core.tenancy import bind_system

    db = _database()
    seen: dict[str, int] = {}

    def progress(table: str, n: int) -> None:
        seen[table] = seen.get(table, 0) + n
        if seen[table] % 1000 == 0:
            typer.echo(f"  {table}: {seen[table]} rows", err=True)

    with db.transaction() as session:
        bind_system(session, "keys")
        total = reencrypt_all(session, progress)
    for table, n in sorted(seen.items()):
        typer.echo(f"  {table}: {n} rows checked")
    typer.echo(f"re-encrypted {total} values with key {keyring().active}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
