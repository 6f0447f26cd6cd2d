"""Readiness: removal-order drills with their scorecards, joint exercises across providers, and a readiness score
per provider (issue 18). Reviewer training lives in ``accord.training``."""
