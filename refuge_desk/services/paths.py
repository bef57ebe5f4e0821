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


def make_private_dir(path: Path) -> Path:
    """Make ``path`` and any missing parents, each for this user only (0700 whatever the
    umask); folders already there are left as they are. Raises OSError."""
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.is_dir() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if folder.is_dir():
                continue  # made meanwhile by another process
            raise
        if os.name == "posix":
            os.chmod(folder, 0o700)
    return path


def make_private_file(path: Path, *, create: bool = True) -> None:
    """Make ``path`` readable by this user only (0600); with ``create``, an empty one (in a
    private folder) if it is missing. For files that other code writes with its own choice of
    mode, such as Qt's settings file. Raises OSError."""
    path = Path(path)
    if create and not path.exists():
        make_private_dir(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600))
    if path.exists() and os.name == "posix":
        os.chmod(path, 0o600)


def private_app_data_dir() -> Path:
    """The app-data folder, made if need be and owner-only even if an older version made it
    readable by others (it holds the default vault and the logs)."""
    folder = make_private_dir(app_data_dir())
    if os.name == "posix":
        os.chmod(folder, 0o700)
    return folder


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


def memory_backed_temp_dir(
    runtime_dir: str | None = None, mounts: str | None = None
) -> Path | None:
    """On Linux, a private folder on the per-user tmpfs ($XDG_RUNTIME_DIR), if there is one.

    We never write temp files ourselves, but libraries may: Qt's CUPS back-end hands each
    print job to CUPS as a temporary file. Pointing TMPDIR here keeps such files in memory
    (tmpfs), never on the laptop's disk. None where there is no such folder.
    """
    if not sys.platform.startswith("linux"):
        return None
    runtime_dir = runtime_dir if runtime_dir is not None else os.environ.get("XDG_RUNTIME_DIR")
    if not runtime_dir or not Path(runtime_dir).is_dir():
        return None
    if mounts is None:
        try:
            mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    base = Path(runtime_dir).resolve()
    best = ""
    best_type = ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (str(base) == point or str(base).startswith(point.rstrip("/") + "/")) and len(
            point
        ) > len(best):
            best, best_type = point, fields[2]
    if best_type not in ("tmpfs", "ramfs"):
        return None
    folder = base / "refuge-desk"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    except OSError:
        return None
    return folder
