"""Kept for the code that imports `feedletter.posts`: the post loader is the `sources`
subpackage now (one module per stage and per generator flavour)."""

from __future__ import annotations

from .sources import *  # noqa: F403
from .sources import __all__  # noqa: F401
from .sources.body import MARKER_LINE as _MARKER_LINE  # noqa: F401  (tests)
from .sources.body import Hints as _Hints  # noqa: F401
from .sources.frontmatter import _handler, _plain  # noqa: F401
