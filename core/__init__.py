"""Core: the bottom of the dependency line — the settings (`core.settings`), the API contract (`core.contract`) and
the offline models (`core.models`).

Every layer may import it; it imports no layer.
"""
