"""The e-data warehouse: digitised results and their records, and the digital signatures of dossier PDFs
and warehouse records."""
