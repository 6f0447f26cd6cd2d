"""Fundamental rights: complaints (TCO Art. 10, DSA Art. 20), user notices (TCO Art. 11, DSA Art. 17),
preservation of removed content (TCO Art. 6) and the micro/small provider profile (DSA Art. 15(2), 19)."""
