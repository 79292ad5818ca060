"""Argument parsing and printing only: one function per command over greenplan.api."""
