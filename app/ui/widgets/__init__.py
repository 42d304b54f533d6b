"""Small pieces shared by several screens: formats, slip output, the signing PIN, draft keeping, the camera
and QR wedge."""
