"""Keydeck's loopback exchange simulator: the real wire protocols of several exchanges on
127.0.0.1, with provisioned keys, traits and injectable faults. See docs/simulator.md.

It imports nothing from the rest of Keydeck, and not ccxt.
"""

from tui.sim.model import Balance, Faults, SimAccount, Traits
from tui.sim.scenario import Scenario, ScenarioError
from tui.sim.server import Simulator

__all__ = ["Balance", "Faults", "Scenario", "ScenarioError", "SimAccount", "Simulator", "Traits"]
