"""Measuring models: how well generated samples do what was asked, and how varied they are."""
