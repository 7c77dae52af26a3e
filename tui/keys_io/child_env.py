"""The environment `keydeck exec` gives its child: one account's credentials, nothing else.

`--as env`: KEYDECK_EXCHANGE, KEYDECK_API_KEY, KEYDECK_API_SECRET, KEYDECK_API_PASSWORD,
KEYDECK_API_UID (and KEYDECK_API_<NAME> for the other ccxt credentials), KEYDECK_CCXT_CONFIG.
`--as freqtrade`: FREQTRADE__EXCHANGE__NAME/__KEY/__SECRET/__PASSWORD/__UID.
`--as ccxt`: KEYDECK_CCXT_CONFIG only. Every inherited `KEYDECK_*` variable is removed (the
passwords, webhook URLs, a rotation's KEYDECK_NEW_API_*, a stale KEYDECK_API_UID that would
otherwise sit beside another account's key): the child sees only the key handed over. So
are inherited FREQTRADE__EXCHANGE__ credentials with --as freqtrade.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from tui.base.process import KEYDECK_PREFIX

FORMS = ("env", "freqtrade", "ccxt")
CCXT_CONFIG = "KEYDECK_CCXT_CONFIG"
ENV_NAMES = {"apiKey": "API_KEY", "secret": "API_SECRET", "password": "API_PASSWORD"}
FREQTRADE_NAMES = {"apiKey": "KEY", "secret": "SECRET", "password": "PASSWORD", "uid": "UID"}
FREQTRADE_PREFIX = "FREQTRADE__EXCHANGE__"

ApiUrls = Callable[[str, bool], Any]
"""(exchange id, sandbox) -> the exchange's ccxt `urls['api']` (or `urls['test']`)."""


def env_name(credential: str) -> str:
    """`apiKey` -> KEYDECK_API_KEY, `walletAddress` -> KEYDECK_API_WALLET_ADDRESS."""
    if credential in ENV_NAMES:
        return f"KEYDECK_{ENV_NAMES[credential]}"
    return "KEYDECK_API_" + re.sub(r"(?<!^)(?=[A-Z])", "_", credential).upper()


def ccxt_config(account: Any, api_urls: ApiUrls | None = None) -> dict[str, Any]:
    """What a ccxt script passes to the exchange's constructor: the credentials, `sandbox`,
    and for an account with an endpoint the exchange's API URLs moved there. ValueError for
    an endpoint that breaks the endpoint rule (plain http off this computer, user info)."""
    config: dict[str, Any] = dict(account.ccxt_config())
    if account.sandbox:
        config["sandbox"] = True
    if account.endpoint:
        from tui.connect.endpoint import EndpointError, normalize_endpoint, rewrite_urls

        try:  # a keyfile written before the rules (or by hand): the same rule as a check
            endpoint = normalize_endpoint(account.endpoint)
        except EndpointError as error:
            raise ValueError(
                f"the account's endpoint is not handed to a program: {error} "
                "Change it in the app (the account's edit form)."
            ) from None
        urls = (api_urls or ccxt_api_urls)(account.exchange, account.sandbox)
        # With sandbox ccxt swaps urls['test'] in as urls['api'] while it is constructed.
        key = "test" if account.sandbox else "api"
        config["urls"] = {key: rewrite_urls(urls, endpoint)}
    return config


def ccxt_api_urls(exchange_id: str, sandbox: bool) -> Any:
    import ccxt

    urls = getattr(ccxt, exchange_id)().describe()["urls"]
    return urls.get("test") if sandbox else urls["api"]


def _inherited(name: str, form: str) -> bool:
    """Removed from what the child inherits."""
    if name.upper().startswith(KEYDECK_PREFIX):
        return True
    return (
        form == "freqtrade"
        and name.startswith(FREQTRADE_PREFIX)
        and name[len(FREQTRADE_PREFIX) :] in ("NAME", *FREQTRADE_NAMES.values())
    )


def child_environment(
    account: Any,
    form: str,
    parent: Mapping[str, str],
    api_urls: ApiUrls | None = None,
) -> tuple[dict[str, str], list[str]]:
    """(the child's environment, notes for stderr such as settings a form cannot carry)."""
    if form not in FORMS:
        raise ValueError(f"--as takes one of {', '.join(FORMS)}")
    env = {name: value for name, value in parent.items() if not _inherited(name, form)}
    notes: list[str] = []
    credentials = account.ccxt_config()
    if form == "freqtrade":
        env[FREQTRADE_PREFIX + "NAME"] = account.exchange
        for credential, value in credentials.items():
            if credential in FREQTRADE_NAMES:
                env[FREQTRADE_PREFIX + FREQTRADE_NAMES[credential]] = value
            else:
                notes.append(f"Freqtrade has no variable for the {credential} credential")
        if account.endpoint or account.sandbox:
            notes.append("the account's endpoint/sandbox setting is not passed to Freqtrade")
        return env, notes
    if form == "env":
        env["KEYDECK_EXCHANGE"] = account.exchange
        for credential, value in credentials.items():
            env[env_name(credential)] = value
    env[CCXT_CONFIG] = json.dumps(ccxt_config(account, api_urls), separators=(",", ":"))
    return env, notes
