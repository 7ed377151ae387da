"""docgen: document checklists, Word templates and NPL reporting for bank credit operations."""
from __future__ import annotations

__version__ = "0.1.0"
