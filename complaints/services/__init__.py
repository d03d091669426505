"""Writing: every change to reports goes through a function here (STYLE.md practice 1)."""
