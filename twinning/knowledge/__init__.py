"""Practice library, dissemination and the replication register (issue 12)."""
