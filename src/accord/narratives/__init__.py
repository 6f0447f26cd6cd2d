"""Counter-narrative campaigns and their measured impact (issue 8).

This package holds the database-independent core:

* ``audience`` — who a campaign may address (language, place, context) and what its variants are;
  targeting of individuals or of special categories (DSA Art. 26(3)) is refused.
* ``figures`` — validation of the aggregate daily figures that come in by CSV or JSON.
* ``stats`` — intervals, comparisons, Holm correction, partial pooling, sample sizes.
* ``experiments`` — A/B/n designs with a fixed control, Thompson allocation and stop rules.
* ``impact`` — the impact report: per variant and segment, and the three research questions as tables.
* ``charts`` — PNG charts of an impact report.

* ``plan`` — the GAMMMA+ plan of a campaign (goal, audience, message, messenger, media, action, evaluation),
  its redirect rules and its pre-registered experiment.

None of the above touches the database. ``models`` and ``service`` store campaigns, their figures and
published lessons and compute reports with the functions above; ``lessons`` publishes anonymised results to
every organisation on the instance; ``demo`` seeds a campaign with real results.
"""
