"""Policies per jurisdiction, automatic actions and crisis incidents."""
