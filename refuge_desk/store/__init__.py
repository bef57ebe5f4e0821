"""Persistence. The only package that imports sqlcipher3."""
