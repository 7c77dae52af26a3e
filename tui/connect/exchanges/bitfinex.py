"""Bitfinex: reading a key's permissions per scope, and the nonce refusal in plain words.

Doc followed: Bitfinex "Key Permissions", `POST /v2/auth/r/permissions`
(https://docs.bitfinex.com/reference/key-permissions): one `[SCOPE, READ, WRITE]` row per
scope (0/1), scopes account, history, orders, positions, funding, settings, wallets,
withdraw, ui_withdraw, bfxpay. Rows are matched by scope name, never by position: `withdraw`
write is the right to withdraw (critical), `wallets` write moves funds between your wallets
and `funding` write offers them as margin funding (a transfer warning), `orders` write
trades, `positions` write manages margin positions. Bitfinex reports no IP access list,
creation or expiry date.

`ui_withdraw` and `bfxpay` are listed on that page without a description. Decided from their
names and Bitfinex's key form: `ui_withdraw` write lets the key withdraw (as on the website),
so it counts as withdraw (critical) like `withdraw`; `bfxpay` write (Bitfinex Pay) makes
payments from the account's wallets, so it counts as moving funds (a transfer warning). A
missing `withdraw` row with no `ui_withdraw` row leaves withdrawals unknown.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_bool
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape


def scopes(raw: Raw) -> dict[str, tuple[bool | None, bool | None]]:
    """scope name -> (read, write) from the answer's rows; malformed rows are skipped."""
    rows = raw.get("data")
    found: dict[str, tuple[bool | None, bool | None]] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, list) and len(row) >= 3 and isinstance(row[0], str):
            found[row[0].lower()] = (as_bool(row[1]), as_bool(row[2]))
    return found


def normalize(raw: Raw) -> Permissions:
    """{"data": [["account", 1, 0], ["orders", 1, 1], ["withdraw", 0, 1], ...]}."""
    rows = scopes(raw)
    if not rows:
        return Permissions.not_reported()

    def write(scope: str) -> bool | None:
        return rows[scope][1] if scope in rows else None

    transfer = [write("wallets"), write("funding"), write("bfxpay")]
    withdraw = [write("withdraw"), write("ui_withdraw")]
    return Permissions(
        reported=True,
        read=any(read for read, _ in rows.values()),
        spot_trade=write("orders"),
        margin=write("positions"),
        futures=None,  # Bitfinex derivatives trade through the same orders/positions scopes
        withdraw=None if all(w is None for w in withdraw) else any(withdraw),
        internal_transfer=None if all(t is None for t in transfer) else any(transfer),
    )


async def fetch_raw(client: Any) -> Raw:
    rows = await client.private_post_auth_r_permissions()
    return {"data": rows}


MODULE = ExchangeModule(
    id="bitfinex",
    name="Bitfinex",
    key_page="https://setting.bitfinex.com/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="POST /v2/auth/r/permissions",
        doc="https://docs.bitfinex.com/reference/key-permissions",
        reads=("withdraw", "transfer", "trade"),
    ),
    # POST /v2/auth/r/wallets: [TYPE, CURRENCY, BALANCE, UNSETTLED_INTEREST, AVAILABLE, ...]
    # rows; [] is an empty account.
    balance_shape=Shape(root=list, items=("0", "1", "2", "4")),
    # Bitfinex has no server time: the permission rows (one per scope, always all of them)
    # are the guard against a server answering [] to everything. `fetch_raw` wraps them.
    permission_shape=Shape(fields={"data.0.0": str, "data.0.2": int}),
    error_rules=(
        # 10114: Bitfinex's nonce only has to grow; it is not compared with the clock.
        error_rule(
            r"nonce: small|#10114",
            ProblemKind.clock_skew,
            "{name} refused a request number (nonce) lower than one this key already used.",
            "Another program is using this key with larger nonces. Give Keydeck a key of its "
            "own on {name}'s API page.",
        ),
        error_rule(r"apikey: (?:invalid|digest invalid)", ProblemKind.bad_credentials),
        error_rule(r"permission invalid", ProblemKind.permission_missing),
        error_rule(r"ratelimit: error", ProblemKind.rate_limited),
        # A 500 whose body is not Bitfinex's ["error", code, text] (an HTML page, a proxy's
        # error): ccxt keeps neither code nor text, only "bitfinex  (#)".
        error_rule(r"^bitfinex\s+\(#\)$", ProblemKind.bad_answer),
    ),
)
