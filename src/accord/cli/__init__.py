"""The ``accord`` command line: thin commands that call services and print tables or JSON."""
