from __future__ import annotations

from sqlalchemy import func, select

from autotrade.core.tenancy import bind_system
from autotrade.iam.models import Role, User, UserRole
from autotrade.orgs.models import Org, OrgStatus
from tests.factories import new_uscc
from tests.web.conftest import csrf_of


def _form(**over: str) -> dict[str, str]:
    data = {
        "company.name": "杭州新汽配有限公司",
        "company.type": "distributor",
        "company.uscc": new_uscc(),
        "company.province": "浙江省",
        "company.city": "杭州市",
        "company.district": "",
        "company.address": "滨江区长河路 88 号",
        "contact.name": "王经理",
        "contact.phone": "13811112222",
        "owner.name": "王五",
        "owner.email": "wang@xinqipei.cn",
        "owner.phone": "",
        "owner.password": "Secret-pass-123",
    }
    data.update(over)
    return data


def _counts(db) -> tuple[int, int]:
    with db.transaction() as s:
        bind_system(s)
        return (
            s.scalar(select(func.count()).select_from(Org)) or 0,
            s.scalar(select(func.count()).select_from(User)) or 0,
        )


def _post(client, data):
    token = csrf_of(client, "/register")
    return client.post("/register", data={**data, "csrf_token": token}, follow_redirects=False)


def test_registration_form_offers_every_type_but_platform(client):
    page = client.get("/register").text
    assert '<option value="distributor" >经销商</option>' in page
    assert '<option value="repair_shop" >维修厂</option>' in page
    assert 'value="platform"' not in page


def test_registration_submits_the_company_for_review(client, db):
    before = _counts(db)
    data = _form()
    r = _post(client, data)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    assert _counts(db) == (before[0] + 1, before[1] + 1)
    with db.transaction() as s:
        bind_system(s)
        org = s.scalar(select(Org).where(Org.uscc == data["company.uscc"]))
        assert (org.name, org.status, org.district) == ("杭州新汽配有限公司", OrgStatus.pending, None)
        owner = s.scalar(select(User).where(User.email == "wang@xinqipei.cn"))
        assert owner.org_id == org.id
        keys = s.scalars(
            select(Role.key).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == owner.id)
        ).all()
        assert keys == ["owner"]
    page = client.get("/login").text
    assert "企业入驻申请已提交，正在等待平台审核。您现在可以登录查看进度。" in page


def test_bad_uscc_is_shown_next_to_the_field_and_nothing_is_written(client, db):
    before = _counts(db)
    r = _post(client, _form(**{"company.uscc": "91330100ABCDEFGHIJ"}))
    assert r.status_code == 422
    assert '<div class="field-error" id="e-company.uscc">统一社会信用代码无效（应为 18 位）。</div>' in r.text
    assert 'value="杭州新汽配有限公司"' in r.text  # what was typed is kept
    assert "Secret-pass-123" not in r.text  # but never the password
    assert _counts(db) == before


def test_every_invalid_field_gets_its_own_message(client, db):
    before = _counts(db)
    data = _form(
        **{
            "company.name": "",
            "contact.phone": "12345",
            "owner.email": "not-an-email",
            "owner.password": "short",
        }
    )
    r = _post(client, data)
    assert r.status_code == 422
    assert '<div class="field-error" id="e-company.name">此项为必填项。</div>' in r.text
    assert (
        '<div class="field-error" id="e-contact.phone">不是有效的中国大陆手机或固定电话号码。</div>' in r.text
    )
    assert '<div class="field-error" id="e-owner.email">邮箱地址无效。</div>' in r.text
    assert (
        '<div class="field-error" id="e-owner.password">密码至少 10 个字符，须包含字母以及数字或符号。</div>'
        in r.text
    )
    assert "请修改标出的字段。" in r.text
    assert _counts(db) == before


def test_platform_type_cannot_be_registered(client, db):
    before = _counts(db)
    r = _post(client, _form(**{"company.type": "platform"}))
    assert r.status_code == 422
    assert '<div class="field-error" id="e-company.type">请从列表中选择。</div>' in r.text
    assert _counts(db) == before


def test_duplicate_uscc_and_email_are_refused(world, db):
    with db.transaction() as s:
        bind_system(s)
        taken = s.get(Org, world.orgs["b"]).uscc
    before = _counts(db)
    r = _post(world.client, _form(**{"company.uscc": taken}))
    assert r.status_code == 409
    assert '<div class="field-error" id="e-company.uscc">该统一社会信用代码的企业已注册。</div>' in r.text
    r = _post(world.client, _form(**{"owner.email": world.emails["a_owner"]}))
    assert r.status_code == 409
    assert '<div class="field-error" id="e-owner.email">该邮箱已被注册。</div>' in r.text
    assert _counts(db) == before


def test_registration_errors_in_english(client, db):
    token = csrf_of(client, "/register?lang=en")
    r = client.post("/register", data={**_form(**{"company.uscc": "123"}), "csrf_token": token})
    assert r.status_code == 422
    message = "Not a valid unified social credit code (18 characters)."
    assert f'<div class="field-error" id="e-company.uscc">{message}</div>' in r.text
