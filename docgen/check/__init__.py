"""The bundle checker: reading a client's folder or zip, bundle.yaml, the checklist, matching files
to items, the rules, findings, report formats and the folder scaffold."""
