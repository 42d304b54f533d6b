"""Reading the text of a page: Tesseract's Vietnamese model, pre-processing, field extraction, text layer."""
