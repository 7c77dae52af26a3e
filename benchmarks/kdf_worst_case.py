"""The slowest unlock a keyfile can ask for: one KDF run at each corner of `KdfCaps`.

`python -m benchmarks.kdf_worst_case` prints wall and CPU time per corner and checks that
each corner is accepted by the caps and one step past it is refused. The worst corner is
the figure docs/keyfile-format.md gives as the worst case. Not part of `python -m
benchmarks` (it takes ~40 s and has no reference to compare with); run it after changing
the caps, or on a new kind of machine.
"""

from __future__ import annotations

import os
import time

from tui.vault.kdf import DEFAULT_CAPS, Argon2idParams, KdfParams, ScryptParams, argon2_available

GIB_KIB = 1 << 20

# (a corner the caps accept, the same parameters one step further, which they refuse)
ARGON2_CORNERS: tuple[tuple[KdfParams, KdfParams], ...] = (
    (Argon2idParams(3, GIB_KIB, 1), Argon2idParams(4, GIB_KIB, 1)),
    (Argon2idParams(3, GIB_KIB, 16), Argon2idParams(3, GIB_KIB + 1, 16)),
    (Argon2idParams(12, GIB_KIB // 4, 1), Argon2idParams(13, GIB_KIB // 4, 1)),
    (Argon2idParams(16, 3 * GIB_KIB // 16, 1), Argon2idParams(17, 3 * GIB_KIB // 16, 1)),
)
SCRYPT_CORNERS: tuple[tuple[KdfParams, KdfParams], ...] = (
    (ScryptParams(20, 8, 1), ScryptParams(20, 8, 2)),
    (ScryptParams(17, 8, 8), ScryptParams(17, 8, 9)),
    (ScryptParams(14, 32, 16), ScryptParams(15, 32, 16)),
    (ScryptParams(15, 1, 16), ScryptParams(16, 1, 16)),  # RFC 7914: N < 2^(16 r)
)


def corners() -> list[tuple[KdfParams, KdfParams]]:
    return [*(ARGON2_CORNERS if argon2_available() else ()), *SCRYPT_CORNERS]


def measure(params: KdfParams, runs: int = 2) -> tuple[float, float]:
    """Wall and CPU seconds of one derivation: the best of `runs` (the machine is shared)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        params.derive(b"benchmark password", b"s" * 16).wipe()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; caps {DEFAULT_CAPS}")
    worst = 0.0
    for accepted, refused in corners():
        assert accepted.problem() is None, accepted
        assert refused.problem() is not None, refused
        wall, cpu = measure(accepted)
        worst = max(worst, wall)
        print(f"{accepted!s:<40} wall {wall:5.2f} s  cpu {cpu:5.2f} s   refused: {refused}")
    print(f"worst case: {worst:.2f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
