"""Exercise declarations, one module per course module (ex01 for Module 1, ...)."""
