"""Online dossiers, fees and payment, notices to citizens."""
