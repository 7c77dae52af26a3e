"""Hyperliquid (api.hyperliquid.xyz): wallets instead of API keys, reads without signatures.

A Hyperliquid "key" is an Ethereum private key plus the wallet (account) address it acts
for; ccxt calls them `privateKey` and `walletAddress`. Everything a reader needs is an
unsigned `POST /info {"type": ...}` naming the account by address, so the simulator has no
signature to check when reading. What tells keys apart is whose key it is
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/nonces-and-api-wallets):
the wallet's own private key can do everything, withdrawals included; an API wallet
("agent") approved by the account only signs trading actions for it and its sub-accounts.

Each simulated account derives its key's address from `privateKey`:

- risky (traits with withdraw): the wallet's own key; userRole of its address (the wallet's):
  `{"role": "user"}`.
- main and any other label: an agent key of walletAddress: `{"role": "agent", "data":
  {"user": <wallet>}}`; the wallet itself is a `user`.
- sub (traits.sub_account): an agent key of the master, for a sub-account address: the key is
  `{"role": "agent", "data": {"user": <master>}}`, walletAddress `{"role": "subAccount",
  "data": {"master": <master>}}`.

The master of every sub-account is the "main" account's wallet. Unknown addresses are
`{"role": "missing"}` (Hyperliquid's info endpoint, "Query a user's role").

Served `/info` types: `meta`, `metaAndAssetCtxs` (one perp, BTC), `spotMeta`,
`spotMetaAndAssetCtxs` (each USDT market of the shared book as a USDC pair, tokens named as
on Hyperliquid: UBTC, UETH, USOL, USDT0, which ccxt maps back), `allMids`,
`spotClearinghouseState` (the account's balances), `clearinghouseState` (the perp account:
its USDC, nothing held in positions), `userRole`, `userAbstraction` ("default") and
`exchangeStatus` (the server time). An unknown type is HTTP 422 with Hyperliquid's plain-text
"Failed to deserialize the JSON body into the target type"; rate limiting is an HTTP 429.

`POST /exchange` verifies the EIP-712 signature of a user-signed `withdraw3` (domain
HyperliquidSignTransaction, chain 0x66eee, as ccxt signs it) and recovers the signer: only a
wallet's own key may withdraw; any other signer, an agent included, is answered
`{"status": "err", "response": "User or API Wallet 0x... does not exist."}` (the error
text ccxt quotes). Every other action is refused the same way. Each request is recorded in
`exchange_requests`, so tests can prove a reader never signs anything.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from aiohttp import web
from eth_keys import keys
from eth_utils import keccak

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

TOKEN_NAMES = {"BTC": "UBTC", "ETH": "UETH", "SOL": "USOL", "USDT": "USDT0"}
"""Hyperliquid's spot names of bridged assets (ccxt's `spotCurrencyMapping` maps them back)."""

WITHDRAW_CHAIN_ID = 0x66EEE
_WITHDRAW_TYPE = (
    "HyperliquidTransaction:Withdraw(string hyperliquidChain,string destination,"
    "string amount,uint64 time)"
)
_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
UNKNOWN_TYPE = "Failed to deserialize the JSON body into the target type"


def _seeded_key(*parts: str) -> str:
    """A deterministic test private key (64 hex digits) from a fixed seed: never a real one."""
    return hashlib.sha256("/".join(("keydeck-sim", "hyperliquid", *parts)).encode()).hexdigest()


def address_of(private_key: str) -> str:
    """The checksummed address of a hex private key (with or without 0x)."""
    raw = bytes.fromhex(private_key.strip().removeprefix("0x"))
    return keys.PrivateKey(raw).public_key.to_checksum_address()


def wallet_address(label: str) -> str:
    """The account address of the demo wallet `label` (its key is never given out)."""
    return address_of(_seeded_key(label, "wallet"))


def same_address(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).lower() == str(b).lower()


def _eip712_withdraw_digest(action: dict[str, Any]) -> bytes:
    domain = keccak(
        keccak(text=_DOMAIN_TYPE)
        + keccak(text="HyperliquidSignTransaction")
        + keccak(text="1")
        + WITHDRAW_CHAIN_ID.to_bytes(32, "big")
        + bytes(32)  # verifyingContract: the zero address
    )
    message = keccak(
        keccak(text=_WITHDRAW_TYPE)
        + keccak(text=str(action["hyperliquidChain"]))
        + keccak(text=str(action["destination"]))
        + keccak(text=str(action["amount"]))
        + int(action["time"]).to_bytes(32, "big")
    )
    return keccak(b"\x19\x01" + domain + message)


def withdraw_signer(action: dict[str, Any], signature: dict[str, Any]) -> str:
    """The address that signed a user-signed withdraw3 action (EIP-712, as ccxt signs it)."""
    r, s = (int(str(signature[name]), 16) for name in ("r", "s"))
    v = int(signature["v"]) - 27
    recovered = keys.Signature(vrs=(v, r, s)).recover_public_key_from_msg_hash(
        _eip712_withdraw_digest(action)
    )
    return recovered.to_checksum_address()


def _size_decimals(step: Decimal) -> int:
    return max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]


@register
class Hyperliquid(SimExchange):
    id = "hyperliquid"
    name = "Hyperliquid"
    credential_names = ("walletAddress", "privateKey")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exchange_requests: list[dict[str, Any]] = []

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        """risky: the wallet's own key; sub: an agent of the master acting for a sub-account
        address; anything else: an agent key of the wallet `label`."""
        if label == "risky":
            own_key = _seeded_key(label, "wallet")
            return {"walletAddress": address_of(own_key), "privateKey": "0x" + own_key}
        if label == "sub":
            sub_account = "0x" + _seeded_key(label, "sub-account")[:40]
            return {"walletAddress": sub_account, "privateKey": "0x" + _seeded_key(label, "agent")}
        return {
            "walletAddress": wallet_address(label),
            "privateKey": "0x" + _seeded_key(label, "agent"),
        }

    # --- who is who ----------------------------------------------------------------------

    def _accounts(self) -> list[SimAccount]:
        return self.state.for_exchange(self.id)

    @staticmethod
    def signer_of(account: SimAccount) -> str | None:
        try:
            return address_of(account.credentials.get("privateKey", ""))
        except ValueError:
            return None

    def master_of(self, account: SimAccount) -> str:
        """The account that approved this account's agent (the sub-account's master)."""
        if account.traits.sub_account:
            return wallet_address("main")
        return account.credentials["walletAddress"]

    def role_of(self, address: str) -> dict[str, Any]:
        for account in self._accounts():
            if same_address(account.credentials.get("walletAddress"), address):
                if account.traits.sub_account:
                    master = self.master_of(account).lower()
                    return {"role": "subAccount", "data": {"master": master}}
                return {"role": "user"}
        for account in self._accounts():
            if same_address(self.signer_of(account), address):
                return {"role": "agent", "data": {"user": self.master_of(account).lower()}}
        if same_address(address, wallet_address("main")):
            return {"role": "user"}
        return {"role": "missing"}

    def account_of(self, address: str | None) -> SimAccount | None:
        for account in self._accounts():
            wallet = account.credentials.get("walletAddress")
            if same_address(wallet, address) or same_address(self.signer_of(account), address):
                return account
        return None

    # --- the SimExchange interface -------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        """The account named in the body (its wallet or its key's address): faults apply."""
        try:
            body = request.json()
        except SimError:
            return None
        user = body.get("user") if isinstance(body, dict) else None
        account = self.account_of(user if isinstance(user, str) else None)
        return account.api_key if account is not None else None

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        raise SimError(ErrorKind.BAD_REQUEST, "no route of Hyperliquid is signed by key")

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.RATE_LIMITED:
            return web.Response(status=429, text="null", content_type="application/json")
        if error.kind is ErrorKind.NOT_FOUND:
            return web.Response(status=404, text="")
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == UNKNOWN_TYPE:
            return web.Response(status=422, text=UNKNOWN_TYPE, content_type="text/plain")
        return self.json({"status": "err", "response": error.detail or error.kind.value})

    # --- /info -----------------------------------------------------------------------------

    @route("POST", "/info")
    async def info(self, request: SimRequest, account: SimAccount | None) -> Any:
        body = request.json()
        kind = body.get("type") if isinstance(body, dict) else None
        user = body.get("user")
        if kind in ("meta", "metaAndAssetCtxs"):
            return self._perp_meta(with_contexts=kind == "metaAndAssetCtxs")
        if kind in ("spotMeta", "spotMetaAndAssetCtxs"):
            return self._spot_meta(with_contexts=kind == "spotMetaAndAssetCtxs")
        if kind == "allMids":
            return {name: fmt(m.price) for name, m in self._spot_pairs()}
        if kind == "exchangeStatus":
            return {"specialStatuses": None, "time": str(self.now_ms())}
        if not isinstance(user, str):
            raise SimError(ErrorKind.BAD_REQUEST, UNKNOWN_TYPE)
        if kind == "userRole":
            return self.role_of(user)
        if kind == "userAbstraction":
            return "default"
        if kind == "spotClearinghouseState":
            return self._spot_state(self._holder(user))
        if kind == "clearinghouseState":
            return self._perp_state(self._holder(user))
        raise SimError(ErrorKind.BAD_REQUEST, UNKNOWN_TYPE)

    def _holder(self, address: str) -> SimAccount | None:
        """Funds are the wallet's: an agent's own address holds nothing (the docs' pitfall)."""
        for account in self._accounts():
            if same_address(account.credentials.get("walletAddress"), address):
                return account
        return None

    def _spot_pairs(self) -> list[tuple[str, SpotMarket]]:
        """("@1", BTC/USDT market), ...: every USDT market but USDC's, quoted in USDC."""
        markets = [m for m in self.state.markets.markets if m.quote == "USDT" and m.base != "USDC"]
        return [(f"@{index}", market) for index, market in enumerate(markets)]

    def _spot_meta(self, *, with_contexts: bool) -> Any:
        pairs = self._spot_pairs()
        tokens = [{"name": "USDC", "szDecimals": 8, "weiDecimals": 8, "index": 0}]
        universe = []
        for index, (name, market) in enumerate(pairs):
            tokens.append(
                {
                    "name": TOKEN_NAMES.get(market.base, market.base),
                    "szDecimals": _size_decimals(market.amount_step),
                    "weiDecimals": 8,
                    "index": index + 1,
                    "isCanonical": False,
                }
            )
            universe.append(
                {"name": name, "tokens": [index + 1, 0], "index": index, "isCanonical": False}
            )
        tokens.append({"name": "USDT0", "szDecimals": 2, "weiDecimals": 8, "index": len(tokens)})
        meta = {"tokens": tokens, "universe": universe}
        if not with_contexts:
            return meta
        contexts = [
            {
                "coin": name,
                "dayNtlVlm": fmt(market.quote_volume()),
                "markPx": fmt(market.price),
                "midPx": fmt(market.price),
                "prevDayPx": fmt(market.open_24h),
            }
            for name, market in pairs
        ]
        return [meta, contexts]

    def _perp_meta(self, *, with_contexts: bool) -> Any:
        btc = self.state.markets.get("BTC", "USDT")
        meta = {"universe": [{"name": "BTC", "szDecimals": 5, "maxLeverage": 40}]}
        if not with_contexts or btc is None:
            return meta
        price = fmt(btc.price)
        context = {"markPx": price, "midPx": price, "oraclePx": price, "funding": "0.0000125"}
        context.update({"openInterest": "1000", "prevDayPx": fmt(btc.open_24h)})
        context.update({"dayNtlVlm": fmt(btc.quote_volume()), "impactPxs": [price, price]})
        return [meta, [context]]

    @staticmethod
    def _spot_state(account: SimAccount | None) -> Any:
        if account is None:
            return {"balances": []}
        return {
            "balances": [
                {
                    "coin": TOKEN_NAMES.get(asset, asset),
                    "token": index,
                    "hold": fmt(balance.used),
                    "total": fmt(balance.total),
                    "entryNtl": "0.0",
                }
                for index, (asset, balance) in enumerate(account.traits.balances.items())
            ]
        }

    def _perp_state(self, account: SimAccount | None) -> Any:
        usdc = account.traits.balances.get("USDC") if account is not None else None
        value = fmt(usdc.total) if usdc is not None else "0.0"
        summary = {"accountValue": value, "totalNtlPos": "0.0", "totalRawUsd": value}
        summary["totalMarginUsed"] = "0.0"
        return {
            "marginSummary": summary,
            "crossMarginSummary": dict(summary),
            "crossMaintenanceMarginUsed": "0.0",
            "withdrawable": value,
            "assetPositions": [],
            "time": self.now_ms(),
        }

    # --- /exchange -------------------------------------------------------------------------

    @route("POST", "/exchange")
    async def exchange(self, request: SimRequest, account: SimAccount | None) -> Any:
        body = request.json()
        self.exchange_requests.append(body if isinstance(body, dict) else {"body": body})
        action = body.get("action") if isinstance(body, dict) else None
        signature = body.get("signature") if isinstance(body, dict) else None
        if not isinstance(action, dict) or not isinstance(signature, dict):
            raise SimError(ErrorKind.BAD_REQUEST, UNKNOWN_TYPE)
        if action.get("type") != "withdraw3":
            raise SimError(ErrorKind.BAD_REQUEST, f"action {action.get('type')!r} is not simulated")
        try:
            signer = withdraw_signer(action, signature)
        except (KeyError, TypeError, ValueError) as error:
            raise SimError(ErrorKind.BAD_REQUEST, UNKNOWN_TYPE) from error
        if self.role_of(signer).get("role") != "user" or self._holder(signer) is None:
            raise SimError(
                ErrorKind.PERMISSION_DENIED,
                f"User or API Wallet {signer.lower()} does not exist.",
            )
        return {"status": "ok", "response": {"type": "default"}}
