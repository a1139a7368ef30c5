"""Signing in and out, and creating a parent or volunteer account."""
