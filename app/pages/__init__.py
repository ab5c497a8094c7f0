"""What the HTML pages need besides routes: forms, cookies, templates and SVG drawings."""
