"""Supervisors' reports: indicators, register, deadline watch, audit viewer and satisfaction ratings."""
