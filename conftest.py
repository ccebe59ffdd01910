"""pytest's root: the shared fixtures live in tests/conftest.py; lab tests (labs/*/tests/) use them too."""

pytest_plugins = ["tests.conftest"]
