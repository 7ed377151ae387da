"""Word templates: template metadata and rendering, template rules, lint, batches, the
serial-number register and PDF conversion."""
