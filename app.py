"""Start AIGC Studio: ``python app.py`` (also what Hugging Face Spaces runs)."""

import logging

from aigc_demo.ui import build_demo, launch_options

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
demo = build_demo()

if __name__ == "__main__":
    demo.launch(**launch_options())
