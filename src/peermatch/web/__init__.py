"""The web layer: one blueprint package per audience, plus access control and the shell."""
