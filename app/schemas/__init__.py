"""Pydantic models of the HTTP and file formats (no table models here)."""
