"""The staff web application: server-rendered pages (Flask, Jinja, htmx) over the services' HTTP APIs."""
