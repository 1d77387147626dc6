"""Spreading what works (issue 12, second half): dissemination records, the replication register (adoptions of
a practice and the levels they reach), the spread of each practice, South-to-South institutions and the
programme's pillar-5 figures. Same anatomy as an app: services (writes), selectors (reads), forms, views, api,
urls; the models are in `twinning.knowledge.models` with the practice library's."""
