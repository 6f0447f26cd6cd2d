"""Notices: removal orders (TCO Art. 3), referrals, trusted flags (DSA Art. 22), user reports (DSA Art. 16)
and alerts; their validation per kind, the one-hour clock, deconfliction, and Annex I-III records."""
