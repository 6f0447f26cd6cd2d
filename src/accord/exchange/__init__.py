"""Exchange: the signed feed other instances pull, pulling it, and python-threatexchange exchanges both ways."""
