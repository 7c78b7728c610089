"""WSGI entry point for production: `gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app`.

Workers never migrate the database: run `evidence-hub db upgrade` once before starting them.
"""

from evidence_hub import create_app, prepare_to_serve

app = create_app()
prepare_to_serve()
