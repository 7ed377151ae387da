"""The web service (``docgen serve``): pages and a JSON API over the library for credit staff,
back office, compliance and management. Nothing else in docgen imports this part."""
