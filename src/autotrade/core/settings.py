"""Settings from the environment (``AUTOTRADE_*``), validated once at start-up."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from autotrade.core.db import PG_MAX_OVERFLOW, PG_POOL_SIZE, SQLITE_CACHE_MB

# Development defaults. They let `make run` work with no configuration and are refused in production.
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me-0000000000000000"  # noqa: S105
DEFAULT_FIELD_KEYS = "dev1:" + base64.b64encode(b"autotrade-dev-field-key-32-bytes").decode()
DEFAULT_BLIND_INDEX_KEY = "dev-insecure-blind-index-key-change-me"
DEFAULT_GATEWAY_SECRET = "dev-insecure-gateway-secret-change-me"  # noqa: S105


class InsecureSettingsError(RuntimeError):
    """Raised when production mode would start with a development secret."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTOTRADE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path('var') / 'autotrade.db'}")
    secret_key: str = DEFAULT_SECRET_KEY
    # Comma-separated "key_id:base64(32 bytes)" pairs. New data is encrypted with `field_key_active`;
    # old key ids stay listed so existing ciphertexts still decrypt after a rotation.
    field_keys: str = DEFAULT_FIELD_KEYS
    field_key_active: str = "dev1"
    blind_index_key: str = DEFAULT_BLIND_INDEX_KEY
    log_level: str = "INFO"
    log_json: bool = True

    redis_url: str | None = None
    # Background jobs: "inprocess" (embedded default) or "dramatiq" (Redis or RabbitMQ broker).
    queue: Literal["inprocess", "dramatiq"] = "inprocess"
    broker_url: str | None = None

    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    web_session_ttl_seconds: int = 12 * 3600
    login_max_failures: int = 5
    lockout_seconds: int = 900
    login_rate_limit: int = 20  # attempts per client address per window
    login_rate_window_seconds: int = 60
    max_body_bytes: int = 1_000_000
    idempotency_ttl_seconds: int = 24 * 3600
    secure_cookies: bool = False
    job_timeout_seconds: int = 3600  # a job running longer is taken as abandoned (its process died)
    job_max_attempts: int = 3
    job_redeliver_seconds: int = 300  # a queued job still pending after this is sent again
    import_dir: Path = Path("var") / "imports"  # catalogue uploads and import error reports
    # PostgreSQL only: connections each server process keeps open, and how many more it may open for a
    # burst (closed again when returned). Requests that hold a session are bounded by their sum; the
    # rest wait, holding nothing (core.http). Overflow connections cost a new server backend each time
    # (fork, catalogue caches, statements planned again): under steady load keep it 0.
    db_pool_size: int = Field(default=PG_POOL_SIZE, ge=1, le=1000)
    db_max_overflow: int = Field(default=PG_MAX_OVERFLOW, ge=0, le=1000)
    # SQLite only: page cache per pooled connection, in MiB (grows only as pages are read).
    sqlite_cache_mb: int = Field(default=SQLITE_CACHE_MB, ge=2, le=65536)
    # Orders not paid within this time are cancelled by the `orders.auto_cancel` job (stock released).
    order_payment_timeout_minutes: int = Field(default=30, ge=1, le=30 * 24 * 60)
    # Paid orders delivered this many days ago with no open dispute or return are completed and their
    # escrow released by the `escrow.auto_release` job (docs/escrow.md).
    escrow_auto_release_days: int = Field(default=7, ge=0, le=365)
    # Webhooks (docs/webhooks.md): may endpoints be on loopback/private/link-local addresses?
    # Unset: yes in development and test, no in production (SSRF guard).
    webhook_allow_private: bool | None = None
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Seconds an app node reuses the principal of a bearer access token (0: look it up every request).
    # A change to users, roles, companies or keys committed on this node clears it at once; other
    # nodes see it within this many seconds (decision 0004).
    auth_cache_seconds: int = Field(default=5, ge=0, le=300)
    # Payments (docs/payments.md): the online gateway's shared secret (its callbacks are signed with
    # HMAC-SHA256 over "<timestamp>.<body>"), how far a callback's timestamp may be from now, the
    # platform's collection account quoted in bank-transfer instructions, and where the gateway
    # simulator (not in production) delivers its callbacks: unset = in process, same verification path.
    gateway_secret: str = DEFAULT_GATEWAY_SECRET
    gateway_callback_tolerance_seconds: int = Field(default=300, ge=10, le=3600)
    gateway_simulator_callback_base_url: str | None = None
    collection_bank: str = "招商银行杭州分行"
    collection_account_name: str = "汽配通平台资金监管专户"
    collection_account_number: str = "571900000000001"

    @field_validator("database_url")
    @classmethod
    def _normalise_db_url(cls, v: str) -> str:
        if v.startswith("postgres://"):
            v = "postgresql://" + v.removeprefix("postgres://")
        if v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v.removeprefix("postgresql://")
        return v

    def field_key_map(self) -> dict[str, bytes]:
        keys: dict[str, bytes] = {}
        for item in filter(None, (p.strip() for p in self.field_keys.split(","))):
            kid, _, b64 = item.partition(":")
            raw = base64.b64decode(b64)
            if len(raw) != 32:
                raise ValueError(f"field key {kid!r} must be 32 bytes (AES-256), got {len(raw)}")
            keys[kid] = raw
        if self.field_key_active not in keys:
            raise ValueError(f"active field key {self.field_key_active!r} is not in AUTOTRADE_FIELD_KEYS")
        return keys

    def check_production(self) -> None:
        """Refuse to run in production with any development default secret."""
        if self.env != "production":
            return
        bad = []
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            bad.append("AUTOTRADE_SECRET_KEY")
        if self.field_keys == DEFAULT_FIELD_KEYS or "dev1" in self.field_key_map():
            bad.append("AUTOTRADE_FIELD_KEYS")
        if self.blind_index_key == DEFAULT_BLIND_INDEX_KEY or len(self.blind_index_key) < 32:
            bad.append("AUTOTRADE_BLIND_INDEX_KEY")
        if self.gateway_secret == DEFAULT_GATEWAY_SECRET or len(self.gateway_secret) < 32:
            bad.append("AUTOTRADE_GATEWAY_SECRET")  # it authenticates payment callbacks
        if bad:
            raise InsecureSettingsError(
                "refusing to start in production with default or weak secrets: " + ", ".join(bad)
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
