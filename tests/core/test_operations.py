import json
import logging

from autotrade.core.logging import configure_logging


def test_health_ready_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}
    client.get("/healthz")
    m = client.get("/metrics")
    assert m.status_code == 200
    assert 'autotrade_http_requests_total{method="GET",route="/healthz",status="200"}' in m.text


def test_readyz_reports_a_dead_database(app, client, db):
    from autotrade.core.db import Database

    app.state.db = Database(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    r = client.get("/readyz")
    app.state.db = db
    assert r.status_code == 503 and r.json()["status"] == "unavailable"


def test_json_log_lines_carry_request_id(client, capfd):
    configure_logging("INFO", json=True)
    client.get("/healthz", headers={"X-Request-ID": "log-test-1"})
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == "log-test-1" and line.get("path") == "/healthz" for line in lines)
    logging.getLogger().setLevel("WARNING")
