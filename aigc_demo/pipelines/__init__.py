"""What each UI action computes, as plain functions over the model hub: numbers in, arrays out."""
