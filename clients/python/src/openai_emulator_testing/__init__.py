"""Run openai-emulator from tests and script it: fixtures, the request journal, verification."""

from .server import EmulatorServer, EmulatorError, find_binary

__all__ = ["EmulatorServer", "EmulatorError", "find_binary"]
__version__ = "0.1.0"
