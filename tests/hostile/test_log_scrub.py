"""What an exchange echoes back of a request's authentication never reaches keydeck.log:
signatures (in headers, parameters and JSON bodies), bearer JWTs without their header, and
KuCoin's signed passphrase. None of these values is registered: they are found by place."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tui.base.logs import setup_logging, stop_logging
from tui.base.redact import REDACTED, scrub

SIGNATURE = "c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0"
JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJrZXkiLCJleHAiOjF9.MEUCIQDx-sig_part"
SIGNED_PASSPHRASE = "UGFzc3BocmFzZVNpZ25lZEJ5S3VDb2lu"

ECHOES = [
    (f'{{"code":"400005","msg":"Invalid KC-API-PASSPHRASE","passphrase":"{SIGNED_PASSPHRASE}"}}',
     SIGNED_PASSPHRASE),
    (f'{{"error":"bad request","signature":"{SIGNATURE}"}}', SIGNATURE),
    (f"X-GEMINI-SIGNATURE: {SIGNATURE}", SIGNATURE),
    (f"{{'bfx-signature': '{SIGNATURE}', 'bfx-apikey': 'abc'}}", SIGNATURE),
    (f"x-api-signature: {SIGNATURE}", SIGNATURE),
    (f"Authorization: deri-hmac-sha256 id=abc,ts=1,sig={SIGNATURE},nonce=x", SIGNATURE),
    (f"invalid token {JWT} for this request", JWT),
    (f'{{"error":{{"name":"jwt_verification","token":"{JWT}"}}}}', JWT),
]  # fmt: skip


@pytest.mark.parametrize(("text", "secret"), ECHOES)
def test_echoed_authentication_is_blanked(text: str, secret: str) -> None:
    scrubbed = scrub(text)
    assert secret not in scrubbed and REDACTED in scrubbed, scrubbed
    assert secret[:12] not in scrubbed


def test_they_never_reach_the_log_file(tmp_path: Path) -> None:
    handler = setup_logging(tmp_path / "logs" / "keydeck.log")
    try:
        for text, _secret in ECHOES:
            logging.getLogger("tui.test").warning("exchange answered %s", text)
    finally:
        stop_logging(handler)
    log_text = (tmp_path / "logs" / "keydeck.log").read_text()
    for _text, secret in ECHOES:
        assert secret not in log_text


def test_ordinary_text_is_kept() -> None:
    for text in ("Wrong passphrase: check it", "design=blue&assign=7", "KC-API-KEY-VERSION: 2"):
        assert scrub(text) == text
