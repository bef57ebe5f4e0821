"""Fictional data for the demo, the ``seed`` command and the benchmarks.

``vault`` makes the demo vault and seeds residents; ``plans``, ``risk``, ``notes`` and
``deadlines`` seed the rest of the case work. Every name is made up; places are invented.
"""

from refuge_desk.services.demo.vault import (
    DEMO_PASSPHRASE,
    DEMO_USER,
    create_demo_vault,
    demo_folder,
    fictional_name,
    make_resident,
    seed,
    seed_casework,
)

__all__ = [
    "DEMO_PASSPHRASE",
    "DEMO_USER",
    "create_demo_vault",
    "demo_folder",
    "fictional_name",
    "make_resident",
    "seed",
    "seed_casework",
]
