"""Donor reports for a partnership and a programme, as PDF and XLSX (issue 14)."""
