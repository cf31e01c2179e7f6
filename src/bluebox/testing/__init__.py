"""Test support shared by every app's tests: factories and the named people of the fixtures."""
