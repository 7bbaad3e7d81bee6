"""What publishes: the report suite, rendering to HTML and PDF, exports, the site and citation."""
