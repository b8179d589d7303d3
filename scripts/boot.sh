#!/bin/sh
# Container entry point: migrate (adopting an init_db()-era database), then serve.
set -e
flask --app wsgi init-db
exec gunicorn -c gunicorn.conf.py wsgi:app
