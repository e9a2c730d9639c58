"""kbtool: validate, search, compare and publish the trafficking-remedies knowledge base."""

__version__ = "0.1.0"

DISCLAIMER = (
    "Legal information, not legal advice: verify against the official text before relying on it."
)
