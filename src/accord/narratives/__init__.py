"""Counter-narrative campaigns and their measured impact (issue 8).

This package holds the database-independent core:

* ``audience`` — who a campaign may address (language, place, context) and what its variants are;
  targeting of individuals or of special categories (DSA Art. 26(3)) is refused.
* ``figures`` — validation of the aggregate daily figures that come in by CSV or JSON.
* ``stats`` — intervals, comparisons, Holm correction, partial pooling, sample sizes.
* ``experiments`` — A/B/n designs with a fixed control, Thompson allocation and stop rules.
* ``charts`` — PNG charts of an impact report.

Nothing here touches the database: the service layer stores what these functions validate and computes
reports with them.
"""
