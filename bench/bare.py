"""The baseline for bench/throughput.py: a bare Flask route returning a short string."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The least a Flask app can do for a request."""
    return "Hello"
