"""Allow ``python -m docgen``."""
from __future__ import annotations

from docgen.cli import main

if __name__ == "__main__":
    main(prog_name="docgen")
