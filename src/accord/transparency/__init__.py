"""Transparency duties: reports, DSA statements of reasons for the Transparency Database and trusted-flagger accuracy.

``accord.law.sor`` builds the statement bodies, ``sor_rules`` checks them independently against the database's
rules, ``accuracy`` computes the DSA Art. 22(6) figures per trusted flagger.
"""
