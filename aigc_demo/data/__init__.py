"""Datasets: where they come from, their licences, and (in later modules) their loaders."""
