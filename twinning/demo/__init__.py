"""A deterministic demo programme: `manage.py demo`."""
