"""What competent authorities do about a provider beyond one order: Art. 5 exposure, Art. 18 penalties."""
