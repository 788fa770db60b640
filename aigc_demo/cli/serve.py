"""``serve``: start the web app, the same as ``python app.py``."""

from __future__ import annotations

import argparse

NAME = "serve"
HELP = "start the web app (same as python app.py)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: GRADIO_SERVER_NAME or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: GRADIO_SERVER_PORT or 7860)")


def run(args: argparse.Namespace) -> int:
    import logging

    from aigc_demo.ui import build_demo, launch_options

    logging.getLogger("aigc_demo").setLevel(logging.INFO)
    build_demo().launch(server_name=args.host, server_port=args.port, **launch_options())
    return 0
