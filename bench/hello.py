"""The ceiling for `python -m bench.load`: a bare Flask app served with the same gunicorn settings."""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
