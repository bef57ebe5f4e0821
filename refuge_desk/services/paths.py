"""Where things live on disk, without Qt (the CLI uses it too)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "RefugeDesk"


def app_data_dir() -> Path:
    if sys.platform == "win32":
        # Local, not Roaming: a roaming profile would copy the vault to the domain's server.
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def default_vault_dir() -> Path:
    return app_data_dir() / "vault"


LOG_DIR_ENV = "REFUGE_DESK_LOG_DIR"


def log_dir() -> Path:
    """The redacted log's folder; REFUGE_DESK_LOG_DIR overrides it (tests, support)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    return app_data_dir() / "logs"


def resource_path(*parts: str) -> Path:
    """A bundled resource, from a source checkout, an installed wheel or the frozen app."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root, "resources", *parts)
    from importlib.resources import files

    return Path(str(files("refuge_desk.resources"))).joinpath(*parts)
