"""Analyst queries over the findings database, and their export."""
