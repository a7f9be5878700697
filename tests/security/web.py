"""A browser's session over HTTP without a browser: the login form and CSRF tokens."""
from __future__ import annotations

import re

import requests

TOKEN = re.compile(r'name="_csrf_token"\s+value="([^"]+)"|<meta name="_csrf_token" content="([^"]+)"')
PASSWORD = "Correct-Horse-9"


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login(base: str, name: str, password: str = PASSWORD) -> requests.Session:
    """Signed in through the login form, as a person would be (session cookie)."""
    s = requests.Session()
    answer = post_login(s, base, name, password)
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])
    return s


def post_login(s: requests.Session, base: str, name: str, password: str) -> requests.Response:
    token = csrf_token(s.get(f"{base}/user/login", timeout=30).text)
    return s.post(f"{base}/user/login", timeout=30, allow_redirects=False,
                  data={"login": name, "password": password, "_csrf_token": token})
