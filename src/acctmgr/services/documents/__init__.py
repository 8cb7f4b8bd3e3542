"""Document templates, rendering to HTML and PDF, and the documents stored."""
