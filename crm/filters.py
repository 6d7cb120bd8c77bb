"""One filterset per model, serving both the browser list page and the API list."""
