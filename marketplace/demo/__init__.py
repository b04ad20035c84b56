"""The demo catalogue: `flask demo load` fills an empty shop with example OCOP products."""
