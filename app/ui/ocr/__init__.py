"""Reading pages on screen: pre-filling a result form from its page, and the background OCR of stored PDFs."""
