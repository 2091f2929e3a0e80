"""Page errors render as HTML, not problem+json."""


def test_malformed_id_in_a_page_url_is_an_html_404(client, world):
    from tests.factories import login

    client.cookies.clear()
    r = client.get("/settings/users/not-a-uuid", headers=login(client, world.emails["a_owner"]))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
