"""Partnership health checks, transition readiness, graduation and post-funding follow-up (issue 13)."""
