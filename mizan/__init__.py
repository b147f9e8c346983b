"""Mizan: the top of the dependency line — the command line (`mizan.cli`, `mizan.user_jobs_cli`) that wires
the layers into commands. No layer imports it; the settings and offline models it reads live in `core/`.
"""

__version__ = "0.1.0"
