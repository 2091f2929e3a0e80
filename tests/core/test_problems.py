"""Bad input → RFC 9457 problem+json with a stable code and the field at fault; no 500, nothing written."""

from tests.helpers import assert_problem, table_counts

VALID = {
    "company": {
        "name": "杭州新锐汽修有限公司",
        "type": "repair_shop",
        "uscc": "91330100MA2RPR004C",
        "province": "浙江省",
        "city": "杭州市",
        "address": "文一路100号",
        "contacts": [{"name": "王五", "phone": "13800001111"}],
    },
    "owner": {"email": "owner@xinrui.cn", "name": "王五", "password": "Strong-pass-1"},
}


def _with(path: str, value):
    import copy

    body = copy.deepcopy(VALID)
    *parents, leaf = path.split(".")
    node = body
    for p in parents:
        node = node[p]
    node[leaf] = value
    return body


def test_malformed_json_is_400_invalid_json_and_writes_nothing(client, db):
    before = table_counts(db)
    r = client.post(
        "/api/v1/companies/register", content=b'{"company": ', headers={"content-type": "application/json"}
    )
    assert_problem(r, 400, "invalid_json")
    assert table_counts(db) == before


def test_wrong_type_names_the_field(client, db):
    before = table_counts(db)
    r = client.post("/api/v1/companies/register", json=_with("company.latitude", "north"))
    body = assert_problem(r, 422, "validation_error", field="company.latitude")
    assert body["errors"] == [
        {"field": "company.latitude", "code": "float_parsing", "message": body["errors"][0]["message"]}
    ]
    assert table_counts(db) == before


def test_invalid_credit_code_has_specific_code(client, db):
    before = table_counts(db)
    r = client.post("/api/v1/companies/register", json=_with("company.uscc", "91330100MA2RPR004X"))
    body = assert_problem(r, 422, "validation_error", field="company.uscc")
    assert body["errors"][0]["code"] == "invalid_uscc"
    assert table_counts(db) == before


def test_missing_field_and_unknown_field(client):
    body = dict(VALID)
    body["owner"] = {k: v for k, v in VALID["owner"].items() if k != "email"}
    r = client.post("/api/v1/companies/register", json=body)
    p = assert_problem(r, 422, "validation_error", field="owner.email")
    assert p["errors"][0]["code"] == "required"
    r = client.post("/api/v1/companies/register", json=_with("company.colour", "red"))
    p = assert_problem(r, 422, "validation_error", field="company.colour")
    assert p["errors"][0]["code"] == "extra_forbidden"


def test_several_errors_are_all_reported(client):
    body = _with("company.uscc", "bad")
    body["owner"]["password"] = "short"
    r = client.post("/api/v1/companies/register", json=body)
    p = assert_problem(r, 422, "validation_error")
    assert {(e["field"], e["code"]) for e in p["errors"]} == {
        ("company.uscc", "invalid_uscc"),
        ("owner.password", "weak_password"),
    }


def test_oversize_body_is_413_and_writes_nothing(client, db, settings):
    before = table_counts(db)
    big = _with("company.address", "x" * (settings.max_body_bytes + 10))
    r = client.post("/api/v1/companies/register", json=big)
    assert_problem(r, 413, "payload_too_large")
    assert table_counts(db) == before


def test_oversize_streamed_body_without_length_is_413(client):
    def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    r = client.post(
        "/api/v1/companies/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(r, 413, "payload_too_large")


def test_unknown_route_and_wrong_method(client):
    assert_problem(client.get("/api/v1/nope"), 404, "not_found")
    assert_problem(client.delete("/api/v1/companies/register"), 405, "method_not_allowed")


def test_bad_uuid_in_path(client, world):
    r = client.get("/api/v1/users/not-a-uuid", headers=world.h("a_owner"))
    p = assert_problem(r, 422, "validation_error", field="path.user_id")
    assert p["errors"][0]["code"] == "uuid_parsing"


def test_request_id_is_echoed_or_generated(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(r.headers["x-request-id"]) == 32 and " " not in r.headers["x-request-id"]


def test_unauthenticated_is_401_problem(client):
    p = assert_problem(client.get("/api/v1/users"), 401, "not_authenticated")
    assert p["detail"]
