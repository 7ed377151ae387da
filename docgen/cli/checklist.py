"""Commands of this area (filled in by its module owner)."""
from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
