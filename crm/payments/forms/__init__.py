"""One form module per payments screen."""
