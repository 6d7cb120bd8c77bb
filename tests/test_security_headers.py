"""HTTP surface (issue 12): Content-Security-Policy without inline script, the other security
headers, cookie flags, and templates that need nothing the policy forbids."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.test_settings import production_env, run_python

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = BASE_DIR / "templates"
OWN_JS = BASE_DIR / "static" / "js"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("as_rep", [False, True])
def test_pages_send_a_strict_policy_and_the_security_headers(client, company, as_rep):
    # Given the login page (anonymous) or the customer list (signed in)
    if as_rep:
        client.force_login(company["rep"])
    url = reverse("crm:customer-list") if as_rep else reverse("accounts:login")
    # When it is fetched
    response = client.get(url)
    # Then scripts and styles may come only from this site, nothing inline, no eval
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & {s for v in csp.values() for s in v}
    # ...and the page may not be framed, sniffed or leak its address to other sites
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_api_responses_carry_the_headers_too(api_as, company):
    response = api_as(company["rep"]).get("/api/customers/")
    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_api_docs_page_widens_its_own_policy_for_swagger_ui_only(client):
    # Given the interactive API docs (Swagger UI from its CDN)
    page = client.get("/api/docs/")
    # Then the CDN is allowed on that page, still without inline script
    csp = policy(page)
    assert page.status_code == 200
    assert csp["script-src"] == ["'self'", "https://cdn.jsdelivr.net"]
    assert "<script>" not in page.content.decode(), "the init script is a separate file"
    # ...and the init script comes from this site
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly_and_same_site_lax(client):
    response = client.get(reverse("accounts:login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_secure_cookies_and_hsts():
    # Given the production environment (DEBUG unset)
    code = (
        "import json; from crm import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_SAMESITE', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_REFERRER_POLICY', "
        "'SECURE_SSL_REDIRECT']}))"
    )
    result = run_python(["-c", code], production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    # Then cookies are HttpOnly, Secure and SameSite=Lax, and HSTS lasts a year
    assert values == {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_SSL_REDIRECT": True,
    }


# Served pages only: e-mail bodies are not subject to the browser's policy.
PAGE_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if "email" not in p.parts)
FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "on* handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on": re.compile(r"\bhx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style", re.I),
}


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_use_nothing_the_policy_blocks(template):
    text = template.read_text()
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{template.relative_to(BASE_DIR)}: {', '.join(found)}"


def test_no_script_of_ours_reads_the_csrf_cookie():
    # The CSRF cookie is HttpOnly: pages send the token from the template (hx-headers).
    for script in OWN_JS.glob("*.js"):
        assert "document.cookie" not in script.read_text(), script.name
