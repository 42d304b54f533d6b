"""Scanning: page sources, the page pipeline, barcodes and PDF assembly, on numpy images.

Pages are ``uint8`` arrays, ``(H, W)`` grey or ``(H, W, 3)`` RGB; nothing here imports Qt, and
OpenCV, zxing-cpp, pyzbar, pikepdf and img2pdf are imported inside the functions that use them.

* :mod:`.profile` scan profiles (``ScanProfile``, ``get_profile``); :mod:`.errors` the errors.
* :mod:`.sources` ``PageSource`` with files, the hot folder and a camera; :mod:`.sane_source` SANE;
  :mod:`.devices` the page-by-page device protocol and its source, used by :mod:`.escl_source`
  (eSCL/AirScan over HTTP) and :mod:`.windows_sources` (WIA, TWAIN); :mod:`.source_uri` opens a
  source from a URI (``sane:``, ``escl:``, ``wia:``, ``twain:``, ``camera:``, ``folder:``, ``file:``);
  :mod:`.spool` where every arriving page is written first.
* :mod:`.loading` / :mod:`.pdfpages` reading image and PDF files safely.
* :mod:`.pipeline` the steps (camera, deskew, crop, blank, barcodes, colour, compress) and
  ``process_page``; :mod:`.batch` many files or a source, on one or several processes.
* :mod:`.geometry`, :mod:`.camera`, :mod:`.analysis`, :mod:`.barcodes`, :mod:`.encode` the steps'
  algorithms; :mod:`.pdf` one PDF per component with metadata and SHA-256.
"""
