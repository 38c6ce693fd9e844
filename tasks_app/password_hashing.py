"""Hash many demo passwords (DemoPBKDF2PasswordHasher where installed) on every core.

PBKDF2 at Django's default cost takes about a second per password on a busy two-core machine, so ~120 demo
logins would take two minutes in one process. Workers are forked where the platform can (no re-import of
Django; multiprocessing ends a forked worker with os._exit, so no finalizer closes the parent's database
socket) and get the hasher class the parent resolved from PASSWORD_HASHERS, so they need no settings of their
own and produce exactly what make_password would.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher

DEMO_ALGORITHM = "pbkdf2_sha256_demo"


class DemoPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 at a lower cost, for the random demo passwords only (``Demo-`` + 96 random bits).

    A random 96-bit password needs no key stretching to resist guessing, and Django re-hashes it with the
    strong default hasher at the first successful login (the default is first in PASSWORD_HASHERS), so
    ``create_demo_users`` stays a matter of seconds instead of minutes for 300 units.
    """

    algorithm = DEMO_ALGORITHM
    iterations = 50_000


def _hash_with(hasher_path: str, password: str) -> str:
    module, _, name = hasher_path.rpartition(".")
    hasher = getattr(importlib.import_module(module), name)()
    return hasher.encode(password, hasher.salt())


def passwords_hash(passwords: list[str], *, workers: int | None = None) -> list[str]:
    """Hashes in the same order; a pool is used only when one hash is slow enough to be worth it."""
    if not passwords:
        return []
    try:
        default = get_hasher(DEMO_ALGORITHM)
    except ValueError:  # not installed in PASSWORD_HASHERS (the test settings use a fast hasher anyway)
        default = get_hasher("default")
    one = partial(_hash_with, f"{type(default).__module__}.{type(default).__qualname__}")
    started = time.perf_counter()
    first = one(passwords[0])
    rest = passwords[1:]
    count = workers or os.cpu_count() or 1
    if not rest or count <= 1 or time.perf_counter() - started < 0.02:
        return [first, *(one(p) for p in rest)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context(method)) as pool:
        return [first, *pool.map(one, rest, chunksize=max(1, len(rest) // (count * 4)))]
