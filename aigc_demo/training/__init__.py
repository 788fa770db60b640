"""Training loops that turn a dataset into a checkpoint with its model card."""
