"""Reading scanned pages: OCR of files, of stored pages in the background, and metadata pre-fill."""
