"""Labels that say a file is AI-generated and how to make it again (no torch, no Gradio).

``xmp.py`` writes and reads the label as an XMP packet (the TC260 ``AIGC`` field of GB 45438-2025's
metadata practice, the IPTC digital source type, and this app's receipt); ``files.py`` puts that
packet into PNG, GIF and WAV files and finds it again, reading only chunk headers on the way.
"""
