"""The application edge: the `decree` command line, the one module that knows both the library and `flows/`."""
