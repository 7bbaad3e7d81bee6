"""What presents the data: the notebook context, words in each language, charts and the analyses."""
