"""Data exchange with IATI 2.03 and DHIS2: exports, imports and DHIS2 servers (issue 14)."""
