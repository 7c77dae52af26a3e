"""Problem classification on real ccxt exception classes with the exchanges' real texts."""

from __future__ import annotations

import pytest
from ccxt.base import errors as ccxt_errors

from tui.base.redact import Secret, forget_all
from tui.connect.classifier import classify
from tui.connect.problems import MalformedResponse, ProblemKind

K = ProblemKind


@pytest.mark.parametrize(
    ("exchange", "exc", "kind"),
    [
        # ccxt's known mis-mappings, fixed by message.
        (
            "kraken",
            ccxt_errors.ExchangeError('kraken {"error":["EAPI:Invalid signature"]}'),
            K.bad_credentials,
        ),
        (
            "okx",
            ccxt_errors.AuthenticationError(
                'okx {"msg":"Timestamp request expired","code":"50112"}'
            ),
            K.clock_skew,
        ),
        (
            "gate",
            ccxt_errors.AuthenticationError(
                'gate {"label":"REQUEST_EXPIRED","message":"gap too large"}'
            ),
            K.clock_skew,
        ),
        (
            "binance",
            ccxt_errors.ExchangeNotAvailable(
                "binance GET http://x/api/v3/account 403 Forbidden <html><body>Not available in "
                "your region</body></html>"
            ),
            K.blocked,
        ),
        # Narrow classes first.
        (
            "binance",
            ccxt_errors.InvalidNonce('binance {"code":-1021,"msg":"Timestamp"}'),
            K.clock_skew,
        ),
        ("okx", ccxt_errors.PermissionDenied('okx {"code":"50110","msg":"IP"}'), K.ip_not_allowed),
        (
            "bybit",
            ccxt_errors.PermissionDenied('bybit {"retCode":10010,"retMsg":"Unmatched IP"}'),
            K.ip_not_allowed,
        ),
        (
            "kucoin",
            ccxt_errors.AuthenticationError(
                'kucoin {"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}'
            ),
            K.bad_passphrase,
        ),
        (
            "kucoin",
            ccxt_errors.AuthenticationError('kucoin {"code":"400006","msg":"ip not in whitelist"}'),
            K.ip_not_allowed,
        ),
        (
            "gate",
            ccxt_errors.AuthenticationError('gate {"label":"IP_FORBIDDEN"}'),
            K.ip_not_allowed,
        ),
        (
            "bitget",
            ccxt_errors.AuthenticationError(
                'bitget {"code":"40012","msg":"apikey/password is incorrect"}'
            ),
            K.bad_passphrase,
        ),
        (
            "binance",
            ccxt_errors.AuthenticationError(
                'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'
            ),
            K.bad_credentials,
        ),
        (
            "binance",
            ccxt_errors.RateLimitExceeded("binance GET http://x 429 Too Many"),
            K.rate_limited,
        ),
        (
            "binance",
            ccxt_errors.DDoSProtection('binance {"code":-1003,"msg":"Too many"}'),
            K.rate_limited,
        ),
        ("okx", ccxt_errors.OnMaintenance("okx maintenance"), K.maintenance),
        (
            "okx",
            ccxt_errors.ExchangeNotAvailable(
                "okx GET http://x/api 503 Service Unavailable <html>maintenance</html>"
            ),
            K.maintenance,
        ),
        (
            "okx",
            ccxt_errors.RequestTimeout("okx GET http://x request timed out (5000 ms)"),
            K.timeout,
        ),
        (
            "okx",
            ccxt_errors.ExchangeNotAvailable("okx GET http://127.0.0.1:1/ Cannot connect"),
            K.unreachable,
        ),
        # ccxt's gemini gives a 500 page a bare ExchangeError: still an outage, not "unknown".
        (
            "gemini",
            ccxt_errors.ExchangeError(
                "gemini POST http://x/v1/roles 500 Internal Server Error <html>oops</html>"
            ),
            K.unreachable,
        ),
        # A 4xx whose JSON has none of the exchange's error fields is no answer of it...
        (
            "gemini",
            ccxt_errors.BadRequest('gemini POST http://x/v1/roles 400 Bad Request {"url": "x"}'),
            K.bad_answer,
        ),
        # ...while Gemini's own errors keep their meaning.
        (
            "gemini",
            ccxt_errors.BadRequest(
                'gemini POST http://x/v1/roles 400 Bad Request {"result": "error", '
                '"reason": "InvalidSignature", "message": "bad"}'
            ),
            K.unknown,
        ),
        # ccxt's bitfinex keeps nothing of a 500 that is not Bitfinex's error array.
        ("bitfinex", ccxt_errors.ExchangeError("bitfinex  (#)"), K.bad_answer),
        (
            "bitfinex",
            ccxt_errors.AuthenticationError("bitfinex apikey: invalid"),
            K.bad_credentials,
        ),
        ("binance", ccxt_errors.NotSupported("binance sandbox has no sapi"), K.unsupported),
        ("binance", TimeoutError(), K.timeout),
        ("binance", TimeoutError(), K.timeout),
        ("binance", ConnectionRefusedError(), K.unreachable),
        ("binance", ValueError("odd"), K.unknown),
    ],
)
def test_classify(exchange: str, exc: BaseException, kind: ProblemKind) -> None:
    problem = classify(exc, exchange)
    assert problem.kind is kind
    assert problem.title and problem.fix
    assert "Traceback" not in problem.title + problem.fix


def test_fix_texts_are_concrete() -> None:
    skew = classify(ccxt_errors.InvalidNonce("x"), "binance")
    assert "time" in skew.fix.lower() and "timedatectl" in skew.fix
    passphrase = classify(ccxt_errors.AuthenticationError('{"code":"400004"}'), "kucoin")
    assert "KuCoin" in passphrase.title and "not your login password" in passphrase.fix
    blocked = classify(
        ccxt_errors.ExchangeNotAvailable("binance GET http://x 403 Forbidden <html></html>"),
        "binance",
    )
    assert "not a key problem" in blocked.fix


def test_detail_is_redacted() -> None:
    secret = Secret("super-secret-value-123")
    try:
        problem = classify(
            ccxt_errors.AuthenticationError(
                f"binance GET http://x/api?signature=abc&key={secret.reveal()} 401"
            ),
            "binance",
        )
    finally:
        forget_all()
    assert "super-secret-value-123" not in problem.detail
    assert "signature=abc" not in problem.detail


def test_html_page_decides_before_exchange_codes() -> None:
    # Gate's own "FORBIDDEN" label must not be read into a CDN's 403 page.
    page = (
        "gate GET http://x/api/v4/spot/accounts 403 Forbidden <!DOCTYPE html><html><head>"
        "<title>403 Forbidden</title></head><body>FORBIDDEN</body></html>"
    )
    assert classify(ccxt_errors.ExchangeNotAvailable(page), "gate").kind is K.blocked
    label = 'gate {"label":"FORBIDDEN","message":"no permission"}'
    assert classify(ccxt_errors.PermissionDenied(label), "gate").kind is K.permission_missing


def test_ambiguous_refusals_name_every_cause() -> None:
    coinbase = classify(
        ccxt_errors.AuthenticationError("coinbase GET http://x 401 Unauthorized"), "coinbase"
    )
    assert coinbase.kind is K.bad_credentials and "IP address" in coinbase.title
    kraken = classify(
        ccxt_errors.PermissionDenied('kraken {"error":["EGeneral:Permission denied"]}'), "kraken"
    )
    assert kraken.kind is K.permission_missing and "IP address" in kraken.title


def test_malformed_answer() -> None:
    problem = classify(MalformedResponse("okx: an answer of 20 characters"), "okx")
    assert problem.kind is K.bad_answer and "not what it sends" in problem.title


def test_unknown_exchange_name_falls_back() -> None:
    problem = classify(ccxt_errors.RequestTimeout("x"), "someexchange")
    assert problem.title == "Someexchange did not answer in time."
