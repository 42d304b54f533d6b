"""The e-data warehouse screens: browsing and signing records, digitising a dossier's result, the result
metadata form and signature badges."""
