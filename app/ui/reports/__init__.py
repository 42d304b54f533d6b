"""Supervisors' screens: dashboard, register dialog, audit viewer and the citizens' rating screen."""
