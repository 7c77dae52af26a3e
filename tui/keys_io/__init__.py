"""Keys in and out: reading API keys from the files other tools keep them in, and handing
one account's credentials to a child process without writing them anywhere.

One reader per source (`hummingbot`, `freqtrade`, `env`, `ccxt`, `keydeck`), each turning a
file into `Candidate`s (credentials held as `Secret`) and `Skipped` rows with the reason;
`plan` decides labels and duplicates against the keyfile; `child_env` builds the variables of
`keydeck exec`. No Textual here; ccxt is imported only to know its exchange ids and URLs.
"""

from tui.keys_io.sources import SOURCE_NAMES, Candidate, Skipped, SourceError, SourceRead

__all__ = ["SOURCE_NAMES", "Candidate", "Skipped", "SourceError", "SourceRead"]
