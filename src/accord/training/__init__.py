"""Reviewer training and calibration: golden sets, a training mode, accuracy and kappa against gold (issue 18)."""
