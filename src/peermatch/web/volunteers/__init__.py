"""Volunteer advocates: their application, availability, offers and matches."""
