"""Audio signal processing on torch tensors: spectrograms, Griffin-Lim, pitch, WAV files."""
