"""The Gradio user interface. It holds no model logic: every action calls the back end."""

from aigc_demo.ui.app import build_demo, launch_options

__all__ = ["build_demo", "launch_options"]
