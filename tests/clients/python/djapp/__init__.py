"""A tiny Django app whose models exercise what test_django.py checks on litewire."""
