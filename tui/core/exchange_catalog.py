"""The exchange list once it is loaded: a small service the app and screens share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tui.base.listeners import Listener, Listeners
from tui.base.redact import scrub

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo

log = logging.getLogger(__name__)


CatalogLoader = Callable[[Path | None], "list[ExchangeInfo]"]


class ExchangeCatalog:
    """Every exchange ccxt supports, once loaded (blocking `load`, run it in a thread)."""

    def __init__(self, loader: CatalogLoader | None = None, cache_dir: Path | None = None) -> None:
        self._loader = loader or _default_catalog_loader
        self._cache_dir = cache_dir
        self.exchanges: list[ExchangeInfo] | None = None
        self.problem: str | None = None
        self.changed = Listeners()

    @property
    def loaded(self) -> bool:
        return self.exchanges is not None

    def load(self) -> None:
        """Load the list; a failure is kept in `problem` (and logged), never raised."""
        try:
            exchanges = self._loader(self._cache_dir)
        except Exception as error:
            log.exception("loading the exchange catalog failed")
            self.problem = scrub(str(error) or type(error).__name__)
        else:
            self.exchanges = sorted(exchanges, key=lambda info: info.name.lower())
            self.problem = None
        self.changed.publish()

    def retry(self) -> bool:
        """Forget a failure so `load` can run again; False when the list is loaded."""
        if self.exchanges is not None:
            return False
        self.problem = None
        self.changed.publish()
        return True

    def info(self, exchange_id: str) -> ExchangeInfo | None:
        for info in self.exchanges or ():
            if info.id == exchange_id:
                return info
        return None

    def display_name(self, exchange_id: str) -> str:
        info = self.info(exchange_id)
        return info.name if info is not None else exchange_id

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        return self.changed.subscribe(callback)


def _default_catalog_loader(cache_dir: Path | None) -> list[ExchangeInfo]:
    from tui.connect.catalog import load_catalog

    return load_catalog(cache_dir)
