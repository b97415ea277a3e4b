"""Marketing reports: SQL loaders into pandas DataFrames, pure transforms, and their exports."""
