"""Built-in apps. Each module here is one app (or workflow), loaded by `cardflow.plugins`."""
