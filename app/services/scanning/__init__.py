"""Scanning paper into a dossier: the scan station's page deck, scanning from any source into per-component
PDFs, and the webcam QR reader."""
