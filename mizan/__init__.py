"""Mizan: the frame shared by every layer.

`mizan.settings` and `mizan.models` sit at the bottom of the dependency line (every layer may import them,
they import no layer); `mizan.cli` sits at the top (it wires the layers into commands).
"""

__version__ = "0.1.0"
