"""The headless core: the Session over an open keyfile and its connector, the way in
(keyfile access), history, rotation, the exchange catalog service. No Textual."""
