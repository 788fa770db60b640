"""Text helpers: the character vocabulary, script conversion and poem-form checks."""
