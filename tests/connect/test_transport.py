"""Keydeck's HTTP session on its own (tui/connect/transport.py): redirects refused before any
request leaves for the new location, bodies capped while they are read, TLS causes named."""

from __future__ import annotations

import datetime as dt
import ssl
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.connect.hostile import HostileServer
from tui.connect.classifier import classify, tls_cause
from tui.connect.problems import ProblemKind, RedirectRefused, ResponseTooLarge
from tui.connect.transport import MAX_DECODED_BYTES, open_session


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer.start() as server:
        yield server


async def _get(url: str) -> bytes:
    async with open_session() as session, session.get(url) as response:
        return await response.read()


@pytest.mark.parametrize("mode", ["redirect", "redirect-https"])
async def test_a_redirect_is_refused_and_nothing_reaches_its_target(
    hostile: HostileServer, mode: str
) -> None:
    with pytest.raises(RedirectRefused) as raised:
        await _get(hostile.endpoint(mode) + "/api/v3/account?signature=abc")
    assert raised.value.host == f"127.0.0.1:{hostile.trap_port}"
    assert hostile.trap_requests == []


@pytest.mark.parametrize(
    ("mode", "what"),
    [("bomb", "decoded size"), ("huge", "decoded size"), ("huge-declared", "declared length")],
)
async def test_bodies_are_capped_while_read(hostile: HostileServer, mode: str, what: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge) as raised:
            await _get(hostile.endpoint(mode))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raised.value.what == what
    assert peak < 3 * MAX_DECODED_BYTES  # the 2 GiB and 100 MB bodies were never held


async def test_an_answer_under_the_caps_reads_whole(hostile: HostileServer) -> None:
    assert await _get(hostile.endpoint("object")) == b"{}"


def _certificate(tmp_path: Path, host: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[str]:
    app = web.Application()

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({})

    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=_certificate(tmp_path, "localhost"))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_self_signed_certificate_is_named_not_trusted(tls_server: str) -> None:
    with pytest.raises(Exception) as raised:
        await _get(tls_server + "/api/v3/time")
    problem = classify(raised.value, "binance")
    assert problem.kind is ProblemKind.tls_failed
    assert "certificate not trusted" in problem.title


@pytest.mark.parametrize(
    ("code", "message", "cause"),
    [
        (10, "certificate has expired", "certificate expired"),
        (62, "Hostname mismatch, certificate is not valid for 'x'.", "hostname mismatch"),
        (20, "unable to get local issuer certificate", "certificate not trusted"),
        (999, "IP address mismatch", "certificate not trusted"),
    ],
)
def test_tls_causes_are_named_from_the_exception_chain(code: int, message: str, cause: str) -> None:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code, error.verify_message = code, message
    try:
        try:
            raise error
        except ssl.SSLError as inner:
            raise ConnectionError("binance GET https://api.binance.com/api/v3/time") from inner
    except ConnectionError as outer:
        assert tls_cause(outer) == cause
        problem = classify(outer, "binance")
    assert problem.kind is ProblemKind.tls_failed and cause in problem.title
