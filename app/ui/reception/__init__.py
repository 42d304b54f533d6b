"""Counter screens: receiving a dossier (applicant, components, procedure, receipt) and returning a result."""
