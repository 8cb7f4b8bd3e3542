"""Document templates, rendering to HTML and PDF, the documents stored and those sent out."""
