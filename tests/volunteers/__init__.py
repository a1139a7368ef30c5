"""Tests of a volunteer advocate's journey."""
