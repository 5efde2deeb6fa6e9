"""Safety foundations: headers, sanitised Markdown, bounded bodies, friendly errors."""

from __future__ import annotations

from consult.markdown import render
from consult.rooms.models import AccessLevel, RoomRole


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    # No inline script or style anywhere on the page (CSP would block them anyway).
    assert "<script>" not in page and " style=" not in page and "<style" not in page


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user()
    response = client.post(
        "/sign-in", data={"email": user.email, "password": "a-long-test-password"}
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("consult_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_markdown_is_sanitised():
    html = render(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=https://tracker.example/p.png> <a href='https://ok.example' "
        "onclick='evil()'>ok</a>"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert "<img" not in html  # remote images would reveal who read what
    assert "onclick" not in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_room_description_goes_through_the_sanitiser(
    client, auth, make_user, make_room, add_member
):
    user = make_user()
    room = make_room(AccessLevel.OPEN, description="Hello <script>alert('x')</script> *world*")
    add_member(room, user, RoomRole.MEMBER)
    auth.login(user)
    page = client.get(f"/rooms/{room.slug}").get_data(as_text=True)
    assert "<em>world</em>" in page
    assert "alert('x')" not in page


def test_oversized_bodies_are_refused(client, app):
    body = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/sign-in", data={"email": body, "password": "p"})
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)


def test_unknown_pages_get_a_friendly_404(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/rooms/no-such-room")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
    assert client.get("/people/abc/handover").status_code == 404


def test_htmx_validation_errors_answer_422_with_the_fragment(
    client, auth, make_user, make_room, add_member
):
    chair = make_user()
    room = make_room()
    add_member(room, chair, RoomRole.CHAIR)
    auth.login(chair)
    response = client.post(
        f"/rooms/{room.slug}/members/people",
        data={"p-email": "not-an-email"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'role="alert"' in body and 'aria-invalid="true"' in body


def test_health_answers_without_signing_in(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    import pytest

    from consult import create_app
    from consult.config import Config

    class Production(Config):
        ENV = "production"
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="CONSULT_SECRET_KEY"):
        create_app(Production)
