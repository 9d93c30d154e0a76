"""Teaching: `sim demo`, the browser app and its server."""
