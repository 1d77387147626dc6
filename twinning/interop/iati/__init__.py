"""IATI 2.03 activity files: export (export.py), checks (rules.py), import (importer.py), codelists and schemas."""
