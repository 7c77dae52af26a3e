"""Secret wrapper, masking and the logging scrub filter."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator

import pytest

from tui.logs import setup_logging
from tui.redact import REDACTED, ScrubFilter, Secret, forget_all, mask, scrub

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
        for name in ("tui", "ccxt"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    text = log_file.read_text()
    assert "leak" in text and VALUE not in text
    assert log_file.parent.stat().st_mode & 0o777 == 0o700
