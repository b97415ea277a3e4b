"""One form module per catalog screen."""
