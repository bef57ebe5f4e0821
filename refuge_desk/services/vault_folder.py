"""The vault's folder on this laptop, as the screens see it: whether it exists yet, who holds
it, where its files are. The store owns the type; screens reach it here so that ui/ never
imports the store."""

from refuge_desk.store.vault import VaultFolder

__all__ = ["VaultFolder"]
