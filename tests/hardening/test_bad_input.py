"""Hypothesis-driven bad input: the key-entry validators and the simulator's request parsing
answer with clean errors, never an exception, a 500 or a traceback (except where the exchange
itself answers errors with 500: Bitfinex, whose body must then be its error array)."""

from __future__ import annotations

import http.client
import json
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui.sim import Simulator
from tui.sim.thread import SimulatorThread
from tui.ui.screens.key_form import (
    MAX_LABEL_CHARS,
    PEM_MARKER,
    clean_value,
    credential_fault,
    label_fault,
)

CREDENTIAL_NAMES = ("apiKey", "secret", "password", "uid", "privateKey", "login", "token")
# Every way a sim exchange finds the key of a request.
KEY_HEADERS = (
    "X-MBX-APIKEY",
    "OK-ACCESS-KEY",
    "X-BAPI-API-KEY",
    "KC-API-KEY",
    "API-Key",
    "KEY",
    "ACCESS-KEY",
)
SIGNING_HEADERS = (
    "OK-ACCESS-SIGN",
    "OK-ACCESS-TIMESTAMP",
    "OK-ACCESS-PASSPHRASE",
    "X-BAPI-SIGN",
    "X-BAPI-TIMESTAMP",
    "X-BAPI-RECV-WINDOW",
    "KC-API-SIGN",
    "KC-API-TIMESTAMP",
    "KC-API-PASSPHRASE",
    "KC-API-KEY-VERSION",
    "API-Sign",
    "SIGN",
    "Timestamp",
    "ACCESS-SIGN",
    "ACCESS-TIMESTAMP",
    "ACCESS-PASSPHRASE",
    "Authorization",
    "Content-Type",
)

any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


# --- key-entry validators -----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(CREDENTIAL_NAMES),
    raw=st.one_of(
        any_text,
        any_text.map(lambda t: f"{PEM_MARKER} EC PRIVATE KEY-----\\n{t}\\n-----END"),
        any_text.map(lambda t: f"{PEM_MARKER} PRIVATE KEY-----\n{t}\n-----END PRIVATE KEY-----"),
    ),
    secret=st.booleans(),
    multiline=st.booleans(),
    required=st.booleans(),
)
def test_credential_validation_never_raises_and_never_echoes_a_secret(
    name: str, raw: str, secret: bool, multiline: bool, required: bool
) -> None:
    value = clean_value(raw, multiline=multiline)
    assert isinstance(value, str)
    assert value == value.strip()
    fault = credential_fault(
        name, "Field", value, secret=secret, multiline=multiline, required=required
    )
    if fault is None:
        if value and not (multiline and PEM_MARKER in value):
            # Accepted single values are printable ASCII; spaces only where users choose them.
            assert all(ch.isascii() and ch.isprintable() for ch in value)
            if name not in ("password", "login"):
                assert " " not in value
        return
    assert isinstance(fault, str) and fault.startswith("Field")
    if secret and len(value) >= 12:
        assert value not in fault
    if secret:
        unusual = [ch for ch in value if not (ch.isascii() and ch.isprintable())]
        assert not [ch for ch in unusual if repr(ch) in fault]


@settings(max_examples=300, deadline=None)
@given(label=st.one_of(any_text, st.text(alphabet=string.printable, max_size=60)))
def test_label_validation(label: str) -> None:
    fault = label_fault(label)
    if fault is None:
        assert label and len(label) <= MAX_LABEL_CHARS
        assert all(ch.isprintable() for ch in label)
    else:
        assert isinstance(fault, str) and fault


# --- the simulator's request parsing ------------------------------------------------------


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with Simulator.start_in_thread() as running:
        yield running


def _routes() -> list[tuple[str, str, str]]:
    simulator = Simulator()
    return [
        (exchange_id, r.method, r.path)
        for exchange_id, exchange in simulator.exchanges.items()
        for r in exchange._routes
    ]


ROUTES = _routes()
EXCHANGE_IDS = sorted({r[0] for r in ROUTES})
URL_SAFE = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%/?"
header_value = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=120,
).map(str.strip)


@st.composite
def requests(draw: st.DrawFn, keys: dict[str, str]) -> dict[str, Any]:
    """A request to a real route (or a random path) with random headers and body."""
    if draw(st.booleans()):
        exchange, method, path = draw(st.sampled_from(ROUTES))
        path = path.replace("{", "").replace("}", "")
        if draw(st.booleans()):
            method = draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH"]))
    else:
        exchange = draw(st.sampled_from([*EXCHANGE_IDS, "nosuch", ""]))
        method = draw(st.sampled_from(["GET", "POST", "DELETE", "OPTIONS", "HEAD"]))
        path = "/" + draw(st.text(alphabet=URL_SAFE, max_size=60))
    query = draw(st.text(alphabet=URL_SAFE.replace("/", "").replace("?", ""), max_size=80))
    target = f"/{exchange}{path}" + (f"?{query}" if query else "")
    headers: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(KEY_HEADERS + SIGNING_HEADERS), max_size=6)):
        known_key = keys.get(exchange) if name in KEY_HEADERS else None
        headers[name] = known_key if known_key and draw(st.booleans()) else draw(header_value)
    body = draw(
        st.one_of(
            st.binary(max_size=400),
            st.text(max_size=200).map(str.encode),
            st.just(b'{"nonce": "1", "a": [1, {"b": null}]}'),
            st.just(b"nonce=abc&asset=BTC"),
        )
    )
    return {"method": method, "target": target, "headers": headers, "body": body}


def _send(sim: SimulatorThread, request: dict[str, Any]) -> tuple[int, bytes]:
    host, port = sim.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            request["method"],
            request["target"],
            body=request["body"] or None,
            headers=request["headers"],
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# Bitfinex answers every error with HTTP 500 and `["error", <code>, <text>]` (docs.bitfinex.com,
# "Errors"; ccxt's bitfinex reads the code only on a 500), so its simulator does too.
ERRORS_AS_500 = frozenset({"bitfinex"})


def _is_documented_500(target: str, body: bytes) -> bool:
    if target.split("/", 2)[1] not in ERRORS_AS_500:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, list) and len(answer) == 3 and answer[0] == "error"


def _main_keys(sim: SimulatorThread) -> dict[str, str]:
    return {a.exchange: a.api_key for a in sim.simulator.accounts if a.label == "main"}


def test_the_simulator_survives_random_requests(sim: SimulatorThread) -> None:
    keys = _main_keys(sim)

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=requests(keys))
    def one(request: dict[str, Any]) -> None:
        try:
            status, body = _send(sim, request)
        except http.client.InvalidURL:
            assume(False)
            return
        documented = _is_documented_500(request["target"], body)
        if not documented:
            assert status != 500, (request["method"], request["target"], body[:300])
        assert status < 500 or status in (501, 503, 504) or documented, (status, request["target"])
        assert b"Traceback" not in body

    one()
    status, body = _send(sim, {"method": "GET", "target": "/", "headers": {}, "body": b""})
    assert status == 200 and b"keydeck" in body
