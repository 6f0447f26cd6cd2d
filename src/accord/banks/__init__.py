"""Hash banks: banks owned by organisations, entries with labels, votes, quarantine, the change log."""
