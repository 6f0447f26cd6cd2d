"""European Production and Preservation Orders (e-evidence, Regulation (EU) 2023/1543)."""
