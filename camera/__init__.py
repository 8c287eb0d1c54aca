"""The capture pipeline: find the document, straighten it, turn it upright, check it, compress it.

No Textual here (the UI is a thin layer over this package). The three public functions are
the contract in DESIGN.md; everything else is reached through the submodules.
"""
from __future__ import annotations

from camera.compress import compress
from camera.detect import find_document
from camera.orient import orientation

__all__ = ["compress", "find_document", "orientation"]
