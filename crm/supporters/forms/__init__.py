"""One form module per screen family of the supporters feature."""
