"""The scan station: acquisition off the GUI thread, the page thumbnails and the recovery of a crashed
scan."""
