"""The model back end: devices, seeds, checkpoints and the model hub. Never imports gradio."""
