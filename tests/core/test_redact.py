"""Secret wrapper, masking and the logging scrub filter."""

from __future__ import annotations

import json
import logging
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import pytest

from tui.base.logs import setup_logging, stop_logging
from tui.base.redact import REDACTED, ScrubFilter, Secret, forget_all, mask, scrub

VALUE = "s3cr3t-value-for-redaction-tests"


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    forget_all()
    yield
    forget_all()


def test_secret_never_shows_its_value() -> None:
    secret = Secret(VALUE)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % (secret,)):  # noqa: UP031
        assert VALUE not in shown
    assert secret.reveal() == VALUE
    assert Secret(secret).reveal() == VALUE
    assert secret == Secret(VALUE)


def test_secret_refuses_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(VALUE))


def test_mask_shows_only_the_tail_of_long_values() -> None:
    assert mask("abcdefghijklmnop") == REDACTED + "mnop"
    assert mask("short") == REDACTED
    assert "pass" not in mask("passphrase12")


def test_scrub_replaces_registered_values_longest_first() -> None:
    Secret("abcd1234")
    Secret("abcd1234-longer")
    assert scrub("x abcd1234-longer y abcd1234 z") == f"x {REDACTED} y {REDACTED} z"
    assert scrub("nothing to hide") == "nothing to hide"
    assert scrub("extra hidden", extra=["hidden"]) == f"extra {REDACTED}"


def test_log_records_are_scrubbed_including_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Secret(VALUE)
    logger = logging.getLogger("tui.test-redact")
    caplog.handler.addFilter(ScrubFilter())
    try:
        logger.warning("key is %s", VALUE)
        try:
            raise ValueError(f"bad {VALUE}")
        except ValueError:
            logger.exception("failed")
    finally:
        caplog.handler.removeFilter(caplog.handler.filters[-1])
    assert VALUE not in caplog.text
    assert REDACTED in caplog.text


def test_log_file_is_private_and_scrubbed(tmp_path) -> None:
    log_file = tmp_path / "logs" / "keydeck.log"
    handler = setup_logging(log_file)
    try:
        Secret(VALUE)
        logging.getLogger("tui.test-file").warning("leak %s?", VALUE)
        handler.flush()
    finally:
        stop_logging(handler)
    text = log_file.read_text()
    assert "leak" in text and VALUE not in text
    assert log_file.parent.stat().st_mode & 0o777 == 0o700


# Secrets with every character that changes when echoed back: quote, backslash, percent,
# plus, non-ASCII (and one with all of them).
AWKWARD = (
    'quote"in"passphrase',
    "back\\slash\\passphrase",
    "per%cent%25passphrase",
    "plus+sign passphrase+",
    "ünïcødé-pässphrase-€",
    'all"of\\them%2B+ü€ at once',
)


def echoed(value: str) -> dict[str, str]:
    """Each form a secret takes when a server or a library echoes it back."""
    return {
        "plain": value,
        "json": json.dumps({"passphrase": value}),
        "json-unicode": json.dumps({"passphrase": value}, ensure_ascii=False),
        "repr": repr({"passphrase": value}),
        "ascii": ascii(value),
        "url-path": "https://api.example.com/" + quote(value),
        "url-component": "https://api.example.com/x?passphrase=" + quote(value, safe=""),
        "form": urlencode({"passphrase": value, "symbol": "BTC/USDT"}),
        "url-lowercase-hex": re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(value)),
    }


def leaked(value: str, text: str) -> list[str]:
    """The echoed forms of `value` still found in `text` (none is ever empty)."""
    return [name for name, form in echoed_forms_of(value).items() if form in text]


def echoed_forms_of(value: str) -> dict[str, str]:
    return {
        "plain": value,
        "json": json.dumps(value)[1:-1],
        "json-unicode": json.dumps(value, ensure_ascii=False)[1:-1],
        "repr": repr(value)[1:-1],
        "quote": quote(value, safe=""),
        "quote-plus": quote_plus(value),
    }


@pytest.mark.parametrize("value", AWKWARD)
def test_every_echoed_form_of_a_secret_is_scrubbed(value: str) -> None:
    assert len(set(echoed_forms_of(value).values())) >= 2  # some form really differs
    Secret(value)
    for form, text in echoed(value).items():
        scrubbed = scrub(f"server said: {text} (end)")
        assert not leaked(value, scrubbed), (form, scrubbed)
        assert REDACTED in scrubbed and scrubbed.endswith("(end)"), (form, scrubbed)


@pytest.mark.parametrize("value", AWKWARD)
def test_extra_values_are_scrubbed_in_every_form_too(value: str) -> None:
    for text in echoed(value).values():
        assert not leaked(value, scrub(text, extra=[value]))


def test_echoed_secrets_never_reach_the_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "keydeck.log"
    handler = setup_logging(log_file)
    logger = logging.getLogger("tui.test-echo")
    try:
        for value in AWKWARD:
            Secret(value)
            for form, text in echoed(value).items():
                logger.warning("answer in %s form: %s", form, text)
            try:
                raise RuntimeError(f"request failed: {json.dumps({'passphrase': value})}")
            except RuntimeError:
                logger.exception("failed")
        handler.flush()
    finally:
        stop_logging(handler)
    text = log_file.read_text(encoding="utf-8")
    assert "answer in form form" in text and "RuntimeError" in text
    for value in AWKWARD:
        assert not leaked(value, text), value


HEADER_VALUE = "hdr7d1e9f0a2b"  # not registered: these are blanked by their place alone
AUTH_HEADERS = (
    "Authorization",
    "X-MBX-APIKEY",
    "OK-ACCESS-KEY",
    "OK-ACCESS-SIGN",
    "OK-ACCESS-PASSPHRASE",
    "X-BAPI-API-KEY",
    "X-BAPI-SIGN",
    "KC-API-KEY",
    "KC-API-SIGN",
    "KC-API-PASSPHRASE",
    "API-Key",
    "API-Sign",
    "KEY",
    "SIGN",
    "ACCESS-KEY",
    "ACCESS-SIGN",
    "ACCESS-PASSPHRASE",
    "CB-ACCESS-KEY",
    "CB-ACCESS-SIGN",
    "CB-ACCESS-PASSPHRASE",
    "CB-ACCESS-TIMESTAMP",
)


@pytest.mark.parametrize("name", AUTH_HEADERS)
def test_auth_headers_are_blanked_in_every_layout(name: str) -> None:
    layouts = (
        f"{name}: {HEADER_VALUE}",  # a header line
        f"GET /x HTTP/1.1\nHost: h\n{name}: {HEADER_VALUE}\nAccept: */*",
        f"headers {{'{name}': '{HEADER_VALUE}', 'Accept': 'x'}}",  # a dict repr
        f'{{"{name}":"{HEADER_VALUE}","n":1}}',  # JSON
        f"<CIMultiDict('{name.lower()}': '{HEADER_VALUE}')>",  # aiohttp, lower-cased
    )
    for text in layouts:
        scrubbed = scrub(text)
        assert HEADER_VALUE not in scrubbed and REDACTED in scrubbed, scrubbed
        assert name.lower() in scrubbed.lower()  # the name stays: it says what was there


def test_bearer_tokens_and_signature_parameters_are_blanked() -> None:
    cases = {
        "Authorization: Bearer eyJhbGciOi.payload.sig-123": "eyJhbGciOi",
        "{'Authorization': 'Bearer tok/en+with=chars'}": "tok/en",
        "GET https://x.com/v3/account?timestamp=1&signature=9f8e7d6c5b&recvWindow=5": "9f8e7d6c5b",
        "POST body: symbol=BTC&sign=abcdef123456": "abcdef123456",
        "apiKey=k&SIGN=ABCDEF987654#frag": "ABCDEF987654",
        'query "signature=a1b2c3d4e5" rejected': "a1b2c3d4e5",
    }
    for text, secret in cases.items():
        scrubbed = scrub(text)
        assert secret not in scrubbed and REDACTED in scrubbed, scrubbed
    url = scrub("https://x.com/v3/account?timestamp=1&signature=9f8e7d&recvWindow=5")
    assert url == f"https://x.com/v3/account?timestamp=1&signature={REDACTED}&recvWindow=5"


def test_names_that_only_resemble_auth_headers_are_kept() -> None:
    kept = (
        "KC-API-KEY-VERSION: 2",
        "design=blue&assign=7",
        "the monkey: george",
        "X-Request-Id: 42f",
        "apiKey is missing",
    )
    for text in kept:
        assert scrub(text) == text


def test_problem_details_are_scrubbed_of_headers_and_echoed_secrets() -> None:
    import ccxt

    from tui.connect.classifier import classify

    passphrase = AWKWARD[-1]
    Secret(passphrase)
    error = ccxt.AuthenticationError(
        f'okx {{"code":"50113","msg":"Invalid Sign","passphrase":{json.dumps(passphrase)}}} '
        f"headers {{'OK-ACCESS-KEY': '{HEADER_VALUE}', 'OK-ACCESS-SIGN': 'c2lnbmF0dXJl'}}"
    )
    detail = classify(error, "okx").detail
    assert "50113" in detail
    assert not leaked(passphrase, detail)
    assert HEADER_VALUE not in detail and "c2lnbmF0dXJl" not in detail
