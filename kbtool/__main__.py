"""`python -m kbtool` runs the command line."""

from .cli import main

main(prog_name="kbtool")
